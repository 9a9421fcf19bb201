#!/usr/bin/env python3
"""How often the CI gate (timemory-report compare --fail-on regression) is right, on this
machine: a C++ and a Python program (bench/gate/) whose function `target` is made 20 %
slower (5 baseline and 5 candidate runs) or 2x slower (one run each), and the same program
against itself (A/A). Each experiment is repeated; a repetition counts as right when the
gate fails naming `target` first (slower), or passes (A/A).

usage: bench/report_gate.py [build-dir] [repetitions] [--hog] [--component ID]
                            [--sequential] [-v]
--hog runs a CPU hog on one core meanwhile (the loaded machine of a shared CI runner).
--component: the component the gate judges (default cpu_clock, recorded with wall_clock:
CPU time is what a shared runner's load does not change; wall_clock is the other choice).
Prints one line per experiment: right / repetitions.
"""
import os
import subprocess
import sys
import tempfile

args = [a for a in sys.argv[1:] if not a.startswith("--")]
build = os.path.abspath(args[0] if args else "build")
reps = int(args[1]) if len(args) > 1 else 20
component = sys.argv[sys.argv.index("--component") + 1] if "--component" in sys.argv \
    else "cpu_clock"
if "--component" in sys.argv:
    args = [a for a in args if a != component]
here = os.path.dirname(os.path.abspath(__file__))
tool = os.path.join(build, "bin", "timemory-report")


def programs(tmp):
    exe = os.path.join(tmp, "gate_app")
    subprocess.run([os.path.join(build, "bin", "timemory-clang++"), "-O2",
                    os.path.join(here, "gate", "gate_app.cpp"), "-o", exe], check=True)
    env_py = {"PYTHONPATH": os.path.join(build, "python")}
    return {"C++": ([exe], {}),
            "Python": ([sys.executable, "-m", "timemory.profiler",
                        os.path.join(here, "gate", "gate_app.py")], env_py)}


def runs(cmd, env, plan):
    """Runs `plan` [(factor, output folder)] in that order; returns each folder's runs.
    Alternating base and candidate runs (the default) cancels the drift of a shared
    machine's load between them, as a CI job should do; --sequential runs each set whole."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("TIMEMORY_")}
    e.update(env, TIMEMORY_COUT_OUTPUT="OFF", TIMEMORY_COMPONENTS="wall_clock,cpu_clock")
    for factor, out in plan:
        e["TIMEMORY_OUTPUT_PATH"] = out
        subprocess.run(cmd + [str(factor)], env=e, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    folders = sorted({out for _, out in plan})
    return {out: sorted(os.path.join(out, d) for d in os.listdir(out) if d[0].isdigit())
            for out in folders}


def gate(base, cand):
    p = subprocess.run([sys.executable, tool, "compare", "--base"] + base + ["--cand"] + cand +
                       ["--fail-on", "regression", "--component", component],
                       capture_output=True, text=True)
    named = p.stderr.split("regression in ")[-1].strip() if p.returncode == 1 else ""
    return p.returncode, named


def main():
    hog = None
    if "--hog" in sys.argv:
        hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for lang, (cmd, env) in programs(tmp).items():
                results = {"20% slower, 5+5 runs": 0, "A/A, 5+5 runs": 0,
                           "2x slower, 1+1 run": 0, "A/A, 1+1 run": 0}
                for r in range(reps):
                    d = os.path.join(tmp, "{}-{}".format(lang, r))
                    sets = [(1.0, d + "-base"), (1.2, d + "-slow"), (1.0, d + "-same")]
                    if "--sequential" in sys.argv:
                        plan = [s for s in sets for _ in range(5)]
                    else:
                        plan = [s for _ in range(5) for s in sets]
                    done = runs(cmd, env, plan + [(2.0, d + "-double")])
                    base, slow, same = (done[d + t] for t in ("-base", "-slow", "-same"))
                    double = done[d + "-double"]
                    rc, named = gate(base, slow)
                    results["20% slower, 5+5 runs"] += rc == 1 and "target" in named
                    if "-v" in sys.argv and not (rc == 1 and "target" in named):
                        print("  missed:", rc, named, flush=True)
                    rc, named = gate(base, same)
                    results["A/A, 5+5 runs"] += rc == 0
                    if "-v" in sys.argv and rc != 0:
                        print("  A/A failed on:", named, flush=True)
                    rc, named = gate(base[:1], double)
                    results["2x slower, 1+1 run"] += rc == 1 and "target" in named
                    results["A/A, 1+1 run"] += gate(base[:1], same[:1])[0] == 0
                for what, right in results.items():
                    print("{:7} {:24} {:3d} / {} right".format(lang, what, right, reps),
                          flush=True)
    finally:
        if hog:
            hog.kill()


if __name__ == "__main__":
    main()
