#!/usr/bin/env python3
"""Runs bench-enter-exit once per component bundle and prints ns per enter+exit pair
(median of repetitions) with ratios to the floors measured in the same process.

usage: bench/compare.py [build-dir] [repetitions]
"""
import json
import os
import subprocess
import sys

build = sys.argv[1] if len(sys.argv) > 1 else "build"
reps = sys.argv[2] if len(sys.argv) > 2 else "7"
binary = os.path.join(build, "bin", "bench-enter-exit")
bundles = {
    "wall_clock": "wall_clock",
    "4 clocks": "wall_clock,thread_cpu_clock,monotonic_raw_clock,trip_count",
    "4 rusage": "wall_clock,cpu_clock,peak_rss,trip_count",
    # One PAPI software-defined event (libsde preloaded: PAPI's SDE component needs its
    # API in the process; the counter is a placeholder, so this is PAPI's read path alone).
    "papi sde": "wall_clock,papi_vector",
}
extra_env = {
    "papi sde": {"TIMEMORY_PAPI_EVENTS": "sde:::bench::ops", "LD_PRELOAD": "libsde.so.1"},
}

print(f"{'bundle':<14} {'benchmark':<26} {'ns/pair':>9} {'x rdtsc pair':>13} {'x clock_gettime pair':>21}")
for label, comps in bundles.items():
    env = dict(os.environ, TIMEMORY_COMPONENTS=comps, **extra_env.get(label, {}))
    out = subprocess.run([binary, f"--benchmark_repetitions={reps}",
                          "--benchmark_report_aggregates_only=true", "--benchmark_format=json"],
                         env=env, check=True, capture_output=True, text=True).stdout
    medians = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        ns = b["cpu_time"]
        if "items_per_second" in b:  # per pair, not per iteration
            ns = 1e9 / b["items_per_second"]
        medians[b["run_name"]] = ns
    rdtsc = medians["floor_rdtsc_pair"]
    cgt = medians["floor_clock_gettime_pair"]
    for name, ns in medians.items():
        print(f"{label:<14} {name:<26} {ns:9.2f} {ns / rdtsc:13.2f} {ns / cgt:21.2f}")
