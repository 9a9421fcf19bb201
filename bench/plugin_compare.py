#!/usr/bin/env python3
"""Plugin overhead: ns added per call of a recursive, non-inlined fib, for
  baseline       clang++-19 -O2
  cyg-empty      clang++-19 -O2 -finstrument-functions + empty hooks (the floor for a call)
  timemory       timemory-clang++ -O2 (min-instructions=0), wall_clock, throttling off
  timemory-thr   the same binary with default throttling (10000 calls, 10 us)
  uftrace        clang++-19 -O2 -pg under `uftrace record`
every variant built with the same compiler and flags, run alternately, medians taken.

usage: bench/plugin_compare.py [build-dir] [n] [reps] [runs]
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
n = sys.argv[2] if len(sys.argv) > 2 else "27"
reps = sys.argv[3] if len(sys.argv) > 3 else "3"
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 7
src = os.path.join(here, "plugin", "fib.cpp")
hooks = os.path.join(here, "plugin", "empty_hooks.c")
clangxx = "/usr/lib/llvm-19/bin/clang++"
clang = "/usr/lib/llvm-19/bin/clang"
wrapper = os.path.join(build, "bin", "timemory-clang++")
work = tempfile.mkdtemp(prefix="timemory-plugin-bench-")


def sh(cmd, env=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout


def exe(name):
    return os.path.join(work, name)


flags = ["-O2"]
sh([clangxx, *flags, src, "-o", exe("baseline")])
sh([clang, *flags, "-c", hooks, "-o", exe("hooks.o")])
sh([clangxx, *flags, "-finstrument-functions", src, exe("hooks.o"), "-o", exe("cyg")])
sh([wrapper, *flags, "--timemory-min-instructions=0", src, "-o", exe("timemory")])
sh([clangxx, *flags, "-pg", src, "-o", exe("pg")])

quiet = dict(os.environ, TIMEMORY_COUT_OUTPUT="OFF", TIMEMORY_FILE_OUTPUT="OFF",
             TIMEMORY_VERBOSE="-1")
variants = {
    "baseline": ([exe("baseline"), n, reps], os.environ),
    "cyg-empty": ([exe("cyg"), n, reps], os.environ),
    "timemory": ([exe("timemory"), n, reps], dict(quiet, TIMEMORY_THROTTLE_COUNT="0")),
    "timemory-thr": ([exe("timemory"), n, reps], quiet),
    "uftrace": (["uftrace", "record", "-d", os.path.join(work, "uftrace.data"),
                 exe("pg"), n, reps], os.environ),
}
samples = {k: [] for k in variants}
calls = None
for _ in range(runs):
    for name, (cmd, env) in variants.items():
        out = sh(cmd, env).split()
        calls = int(out[-2])
        samples[name].append(int(out[-1]) / calls)
shutil.rmtree(work, ignore_errors=True)

med = {k: statistics.median(v) for k, v in samples.items()}
base = med["baseline"]
added = {k: med[k] - base for k in med}
print(f"fib({n}) x {reps}: {calls} calls per run, {runs} runs, medians")
print(f"{'variant':<14} {'ns/call':>9} {'added ns/call':>14} {'x cyg-empty added':>18} {'x uftrace added':>16}")
for k in variants:
    a = added[k]
    cyg = a / added["cyg-empty"] if added["cyg-empty"] > 0 else float("nan")
    uft = a / added["uftrace"] if added["uftrace"] > 0 else float("nan")
    print(f"{k:<14} {med[k]:9.2f} {a:14.2f} {cyg:18.2f} {uft:16.3f}")
