#!/usr/bin/env python3
"""Added ns per Python call of timemory's Profiler against cProfile, yappi (wall clock) and
empty C callbacks (the floors: a profile hook, and on 3.12+ the sys.monitoring events
timemory uses), all in one run, medians of several repetitions.

Workloads: a recursive fib (call-heavy) and a json round trip of a large document
(realistic: most time in C code, fewer Python calls).

usage: PYTHONPATH=build/python <python> bench/python_compare.py [reps]
       (each interpreter the package was built for: /usr/bin/python3, pyenv 3.12, 3.13)
"""

import cProfile
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TIMEMORY_AUTO_OUTPUT", "OFF")
os.environ.setdefault("TIMEMORY_COUT_OUTPUT", "OFF")

import timemory  # noqa: E402
from timemory import libpytimemory as native  # noqa: E402
from timemory.profiler import Config, Profiler  # noqa: E402

try:
    import yappi
except ImportError:  # python3-yappi
    yappi = None

REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 7
Config.only_filenames = []  # measure everything, as cProfile does
Config.skip_filenames = []


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def fib_throttled(n):
    """fib's twin: its own code object, so throttling one leaves the other timed."""
    return n if n < 2 else fib_throttled(n - 1) + fib_throttled(n - 2)


FIB_N = 22
FIB_CALLS = 2 * 28657 - 1  # fib(22) makes 2 F(23) - 1 calls

DOC = {"rows": [{"id": i, "name": "item-%d" % i, "tags": ["a", "b", "c"], "value": i * 0.5,
                 "nested": {"x": i, "y": [i, i + 1]}} for i in range(20000)]}


def roundtrip():
    # object_hook: one Python call per decoded object, as real decoders with validation do
    return json.loads(json.dumps(DOC), object_hook=lambda d: d)


def count_calls(fn):
    calls = [0]

    def tick(frame, event, arg):
        if event == "call":
            calls[0] += 1
    sys.setprofile(tick)
    fn()
    sys.setprofile(None)
    return calls[0]


def timed(fn, start=None, stop=None):
    if start:
        start()
    t0 = time.perf_counter_ns()
    fn()
    t1 = time.perf_counter_ns()
    if stop:
        stop()
    return t1 - t0


def run_variants(fn, throttled_fn=None):
    prof = cProfile.Profile()
    tm = Profiler(["wall_clock"])
    variants = {
        "baseline": (None, None),
        "empty C hook": (native._empty_hook_start, native._empty_hook_stop),
    }
    if hasattr(native, "_empty_monitoring_start"):
        # 3.12+: the floor of timemory's own mechanism (sys.monitoring, empty C callbacks)
        variants["empty C monitoring"] = (native._empty_monitoring_start,
                                          native._empty_monitoring_stop)
    variants.update({
        "cProfile": (prof.enable, prof.disable),
        "timemory": (lambda: (setattr(timemory.settings, "throttle_count", 0), tm.start()),
                     tm.stop),
    })
    if yappi:
        yappi.set_clock_type("wall")
        variants["yappi (wall)"] = (yappi.start, yappi.stop)
    samples = {k: [] for k in variants}
    if throttled_fn:
        samples["timemory (throttled)"] = []
    for _ in range(REPS):
        for name, (start, stop) in variants.items():
            samples[name].append(timed(fn, start, stop))
            if name == "yappi (wall)":
                yappi.clear_stats()
        if throttled_fn:
            samples["timemory (throttled)"].append(timed(
                throttled_fn,
                lambda: (setattr(timemory.settings, "throttle_count", 10000), tm.start()),
                tm.stop))
    return {k: statistics.median(v) for k, v in samples.items()}


def table(title, fn, calls, throttled_fn=None):
    med = run_variants(fn, throttled_fn)
    base = med["baseline"]
    cprof = med["cProfile"] - base
    print("\n{} ({} Python calls per run, {} runs, medians)".format(title, calls, REPS))
    print("{:<22} {:>12} {:>10} {:>16} {:>14}".format("variant", "ms per run", "overhead",
                                                     "added ns/call", "x cProfile"))
    for k, v in med.items():
        added = (v - base) / calls
        ratio = (v - base) / cprof if cprof > 0 else float("nan")
        print("{:<22} {:>12.2f} {:>9.0f}% {:>16.1f} {:>14.2f}".format(
            k, v / 1e6, 100.0 * (v - base) / base, added, ratio))


if __name__ == "__main__":
    timemory.init([])
    table("fib({})".format(FIB_N), lambda: fib(FIB_N), FIB_CALLS, lambda: fib_throttled(FIB_N))
    table("json round trip of a 20000-row document", roundtrip, count_calls(roundtrip))
