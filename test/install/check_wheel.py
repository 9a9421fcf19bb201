#!/usr/bin/env python3
"""Builds the timemory wheel (pyproject.toml + setup.py, CMake underneath) for this
interpreter, installs it into an empty folder and uses it from outside the source tree.

usage: check_wheel.py SOURCE_DIR WORK_DIR
Checks: the wheel holds the package, its type stubs, the native module and the runtime
beside it; the module finds that runtime through $ORIGIN alone; a profile run from the
installed package writes its reports with exact call counts. Exit 0 when all hold.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import zipfile

src, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
dist, site, run = (os.path.join(work, d) for d in ("dist", "site", "run"))
for d in (dist, site, run):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
env = dict(os.environ, TIMEMORY_WHEEL_BUILD_DIR=os.path.join(work, "cmake"))
subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                "-w", dist, src], check=True, env=env, stdout=subprocess.DEVNULL)
problems = []
wheels = glob.glob(os.path.join(dist, "timemory-*.whl"))
if len(wheels) != 1:
    sys.exit("expected one wheel, found {}".format(wheels))
names = zipfile.ZipFile(wheels[0]).namelist()
for needed in ("timemory/__init__.py", "timemory/py.typed", "timemory/libpytimemory.pyi",
               "timemory/profiler/__main__.py", "timemory/libtimemory-rt.so.0",
               "timemory/libtimemory-regex.so"):
    if needed not in names:
        problems.append("wheel lacks " + needed)
if not any(n.startswith("timemory/libpytimemory.cpython-") for n in names):
    problems.append("wheel lacks the native module")

subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target", site,
                wheels[0]], check=True, stdout=subprocess.DEVNULL)
module = glob.glob(os.path.join(site, "timemory", "libpytimemory.cpython-*.so"))[0]
dyn = subprocess.run(["readelf", "-d", module], capture_output=True, text=True).stdout
runpath = [l for l in dyn.splitlines() if "RUNPATH" in l or "RPATH" in l]
if len(runpath) != 1 or "[$ORIGIN]" not in runpath[0]:
    problems.append("module's run path is not $ORIGIN alone: {}".format(runpath))

with open(os.path.join(run, "fib.py"), "w") as f:
    f.write("def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"
            "fib(12)\nimport timemory, sys\n"
            "print([l.split()[-1] for l in open('/proc/self/maps') if 'libtimemory-rt' in l][0])\n")
clean = {k: v for k, v in os.environ.items() if not k.startswith(("TIMEMORY_", "PYTHON"))}
p = subprocess.run([sys.executable, "-m", "timemory.profiler", "fib.py"], cwd=run,
                   env=dict(clean, PYTHONPATH=site, TIMEMORY_OUTPUT_PATH="out"),
                   capture_output=True, text=True)
if p.returncode != 0:
    problems.append("profile run failed: " + p.stderr)
else:
    mapped = p.stdout.strip()
    if not mapped.startswith(os.path.join(site, "timemory")):
        problems.append("the runtime mapped is not the wheel's: " + mapped)
    with open(os.path.join(run, "out", "latest", "wall.json")) as f:
        graph = json.load(f)["timemory"]["wall_clock"]["ranks"][0]["graph"]
    calls = sum(r["inclusive"]["entry"]["laps"] for r in graph if r["name"].startswith("fib/"))
    if calls != 465:  # fib(12) makes 465 calls
        problems.append("fib calls counted: {} (465 expected)".format(calls))
for p in problems:
    print("PROBLEM", p)
print("wheel {}: {}".format(os.path.basename(wheels[0]), "ok" if not problems else "FAILED"))
sys.exit(1 if problems else 0)
