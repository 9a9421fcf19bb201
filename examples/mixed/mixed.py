"""Python calling instrumented C++: one call tree across both languages.

Run (after scripts/demo or scripts/test built everything):
    PYTHONPATH=build/python:build/examples/mixed /usr/bin/python3 examples/mixed/mixed.py
"""

import timemory
from timemory.profiler import Config, Profiler

import mixed_ext

Config.only_filenames = [__file__]  # Python side: only this script's functions


def prepare(n):
    return [i * 0.5 for i in range(n)]


def step(n):
    data = prepare(n)
    return mixed_ext.solve(len(data))


def run():
    total = 0.0
    for n in (10, 20, 30):
        total += step(n)
    return total


if __name__ == "__main__":
    with Profiler(["wall_clock"]):
        result = run()
    print("result: {:.3f}".format(result))
    timemory.finalize()
