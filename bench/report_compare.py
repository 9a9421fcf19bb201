#!/usr/bin/env python3
"""Report writing against graph size and shape: time to write every report file at exit
and memory, medians of several runs (bench/reports/report_bench.c).

usage: bench/report_compare.py [build-dir] [runs] [--program PATH] [--max-nodes N]

For each case, the program records the graph, then times timemory_finalize() (which writes
metadata, text table, flat JSON, tree JSON, flame graph and folded stacks). Memory is the
resident size the graph added while it was recorded ("graph"), and the peak while the
reports were written, above the resident size before recording ("peak"): the ratio
peak / graph says how much writing adds to what the graph itself holds.
"""
import os
import statistics
import subprocess
import sys
import tempfile

args = []
for i, a in enumerate(sys.argv[1:], 1):
    if not a.startswith("--") and not sys.argv[i - 1].startswith("--"):
        args.append(a)
build = os.path.abspath(args[0] if args else "build")
runs = int(args[1]) if len(args) > 1 else 3
program = os.path.join(build, "bin", "bench-reports")
if "--program" in sys.argv:
    program = sys.argv[sys.argv.index("--program") + 1]

max_nodes = int(sys.argv[sys.argv.index("--max-nodes") + 1]) if "--max-nodes" in sys.argv else 10**7
CASES = [(m, n) for m, n in [("wide", 10000), ("wide", 100000), ("wide", 1000000),
                             ("deep", 2000), ("deep", 100000)] if n <= max_nodes]


def run(mode, n):
    with tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, TIMEMORY_OUTPUT_PATH=out, TIMEMORY_COUT_OUTPUT="OFF",
                   TIMEMORY_MAX_DEPTH="200000")
        line = subprocess.run([program, mode, str(n)], env=env, check=True,
                              capture_output=True, text=True, timeout=600).stdout.split()
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out) for f in fs)
        _, nodes, _, graph_kb, peak_kb, ms = line
        return float(ms), int(graph_kb), int(peak_kb), size


print("{:>6} {:>8} {:>10} {:>11} {:>11} {:>6} {:>10}".format(
    "shape", "n", "write ms", "graph MB", "peak MB", "ratio", "files MB"))
for mode, n in CASES:
    results = [run(mode, n) for _ in range(runs if n <= 100000 else 1)]
    ms = statistics.median(r[0] for r in results)
    graph = statistics.median(r[1] for r in results) / 1024
    peak = statistics.median(r[2] for r in results) / 1024
    size = results[0][3] / 1e6
    print("{:>6} {:>8} {:>10.1f} {:>11.1f} {:>11.1f} {:>6.2f} {:>10.1f}".format(
        mode, n, ms, graph, peak, peak / graph if graph else 0, size))
