#!/usr/bin/env python3
"""OpenMP through OMPT: what timemory's callbacks cost per parallel region and per implicit
task, against the same program without the tool, in one run.

The workload (bench/omp/regions.cpp) runs many tiny parallel regions (a reduction of one
term per thread), so nearly all of its time is libomp's fork/join: the worst case for a
tool that acts at every region. Variants, all clang++-19 -O2 -fopenmp (libomp):
  plain        not linked with timemory (libomp finds no tool)
  ompt-off     linked with libtimemory-rt, TIMEMORY_OMPT=OFF (the tool declines)
  ompt         TIMEMORY_OMPT=ON, TIMEMORY_OMPT_SYNC_WAIT=OFF (regions and implicit tasks)
  ompt+wait    the defaults (also barrier waits)
Each is run alternately `runs` times; the medians of the program's own ns per region are
reported with the ratio to plain and the added cost per region and per implicit task.

usage: bench/omp_compare.py [build-dir] [regions] [runs] [threads]
"""
import os
import statistics
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
regions = sys.argv[2] if len(sys.argv) > 2 else "20000"
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 7
threads = sys.argv[4] if len(sys.argv) > 4 else "2"
clangxx = "/usr/lib/llvm-19/bin/clang++"
libomp = "/usr/lib/llvm-19/lib"
src = os.path.join(here, "omp", "regions.cpp")
work = tempfile.mkdtemp(prefix="timemory-omp-bench-")
lib = os.path.join(build, "lib")

common = ["-O2", "-fopenmp", src, f"-L{libomp}", f"-Wl,-rpath,{libomp}"]
plain = os.path.join(work, "plain")
tool = os.path.join(work, "tool")
subprocess.run([clangxx, *common, "-o", plain], check=True)
subprocess.run([clangxx, *common, f"-L{lib}", f"-Wl,-rpath,{lib}", "-Wl,--no-as-needed",
                "-ltimemory-rt", "-o", tool], check=True)

base = {k: v for k, v in os.environ.items() if not k.startswith("TIMEMORY_")}
base.update(OMP_NUM_THREADS=threads,
            TIMEMORY_FILE_OUTPUT="OFF", TIMEMORY_VERBOSE="-1")
variants = {
    "plain": (plain, {}),
    "ompt-off": (tool, {"TIMEMORY_OMPT": "OFF"}),
    "ompt": (tool, {"TIMEMORY_OMPT_SYNC_WAIT": "OFF"}),
    "ompt+wait": (tool, {}),
}
times = {k: [] for k in variants}
for _ in range(runs):
    for name, (exe, env) in variants.items():
        out = subprocess.run([exe, regions], check=True, capture_output=True, text=True,
                             env=dict(base, **env)).stdout
        times[name].append(float(out.split()[0]))

n = int(threads)
med = {k: statistics.median(v) for k, v in times.items()}
print(f"{regions} regions, {threads} threads, {runs} runs each (median ns per region)")
print(f"{'variant':<10} {'ns/region':>10} {'ratio':>6} {'+ns/region':>11} {'+ns/task':>9}")
for k, v in med.items():
    extra = v - med["plain"]
    print(f"{k:<10} {v:>10.1f} {v / med['plain']:>6.2f} {extra:>11.1f} {extra / n:>9.1f}")
