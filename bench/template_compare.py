#!/usr/bin/env python3
"""Template-heavy code: overhead of the plugin's default selection, against the plain build
and an empty-hook -finstrument-functions-after-inlining build, in one run.

The workload (bench/plugin/format_loop.cpp) formats numbers and strings with {fmt} (Debian's
libfmt-dev, header-only): thousands of small template instantiations, inlined and then
partly outlined, called in a tight loop. Its functions are instrumented as if {fmt} were part
of the project (system-headers=1). Variants:
  baseline      clang++-19 -O2
  cyg-empty     -finstrument-functions-after-inlining, hooks that do nothing (the floor of
                instrumenting every function left after inlining)
  timemory      timemory-clang++ -O2, the default selection and settings
  timemory-off  the same binary, TIMEMORY_THROTTLE_COUNT=0 (every call timed)
  all-10        timemory-clang++ with the previous default selection (min-instructions=10,
                loops exempt), default settings
Each is run alternately `runs` times; the program's own time of the loop is taken (no
start-up, no report writing), medians reported with the ratio to the baseline. Then the
top entries by exclusive time of timemory and timemory-off are listed side by side.

usage: bench/template_compare.py [build-dir] [iterations] [runs]
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
iters = sys.argv[2] if len(sys.argv) > 2 else "200000"
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 7
src = os.path.join(here, "plugin", "format_loop.cpp")
hooks = os.path.join(here, "plugin", "empty_hooks.c")
clangxx = "/usr/lib/llvm-19/bin/clang++"
clang = "/usr/lib/llvm-19/bin/clang"
wrapper = os.path.join(build, "bin", "timemory-clang++")
work = tempfile.mkdtemp(prefix="timemory-template-bench-")


def sh(cmd, env=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout


def exe(name):
    return os.path.join(work, name)


flags = ["-O2"]
sh([clangxx, *flags, src, "-o", exe("baseline")])
sh([clang, *flags, "-c", hooks, "-o", exe("hooks.o")])
sh([clangxx, *flags, "-finstrument-functions-after-inlining", src, exe("hooks.o"), "-o",
    exe("cyg")])
sh([wrapper, *flags, "--timemory-system-headers=1", src, "-o", exe("timemory")])
sh([wrapper, *flags, "--timemory-system-headers=1", "--timemory-min-instructions=10",
    "--timemory-min-loop-instructions=0", src, "-o", exe("all10")])

base_env = {k: v for k, v in os.environ.items() if not k.startswith("TIMEMORY_")}
quiet = dict(base_env, TIMEMORY_FILE_OUTPUT="OFF", TIMEMORY_VERBOSE="-1")
variants = {
    "baseline": (exe("baseline"), base_env),
    "cyg-empty": (exe("cyg"), base_env),
    "timemory": (exe("timemory"), quiet),
    "timemory-off": (exe("timemory"), dict(quiet, TIMEMORY_THROTTLE_COUNT="0")),
    "all-10": (exe("all10"), quiet),
}
samples = {k: [] for k in variants}
for _ in range(runs):
    for name, (binary, env) in variants.items():
        samples[name].append(int(sh([binary, iters], env).split()[-1]) / 1e6)


def top(binary, env, k=6):
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    sh([binary, iters], dict(env, TIMEMORY_FILE_OUTPUT="ON", TIMEMORY_OUTPUT_PATH=out))
    with open(os.path.join(out, "latest", "wall.json")) as f:
        graph = json.load(f)["timemory"]["wall_clock"]["ranks"][0]["graph"]
    agg = {}
    for r in graph:
        agg[r["prefix"]] = agg.get(r["prefix"], 0) + r["exclusive"]["stats"]["sum"]
    total = sum(agg.values()) or 1
    ranked = sorted(agg.items(), key=lambda x: -x[1])[:k]
    return [(n, 100 * v / total) for n, v in ranked], len(graph)


def short(name, n=60):
    return name if len(name) <= n else name[: n - 3] + "..."


med = {k: statistics.median(v) for k, v in samples.items()}
print(f"format loop x {iters}, {runs} runs alternating, medians of the loop's own time")
print(f"{'variant':<14} {'ms':>9} {'x baseline':>11}")
for k in variants:
    print(f"{k:<14} {med[k]:9.1f} {med[k] / med['baseline']:11.2f}")
(t_on, n_on), (t_off, n_off) = top(exe("timemory"), quiet), top(
    exe("timemory"), dict(quiet, TIMEMORY_THROTTLE_COUNT="0"))
print(f"\ntop by exclusive time ({n_on} nodes): default settings | throttling off")
for (a, pa), (b, pb) in zip(t_on, t_off):
    print(f"  {pa:5.1f}% {short(a):<60} | {pb:5.1f}% {short(b)}")
for k in (3, 4, 5):
    same = {n for n, _ in t_on[:k]} == {n for n, _ in t_off[:k]}
    print(f"top {k}: {'the same functions' if same else 'different functions'}")
shutil.rmtree(work, ignore_errors=True)
