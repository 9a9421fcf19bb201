"""python -m timemory.profiler [-c components] [-o outdir] script.py args...

Runs a script under the timemory profiler, like ``python -m cProfile``; the reports go
to the output folder when it ends.
"""

import argparse
import os
import runpy
import sys

import timemory
from timemory.profiler import Config, Profiler


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m timemory.profiler",
                                     description="Profile a Python script with timemory.")
    parser.add_argument("-c", "--components", nargs="+", default=None,
                        help="components to collect (default: TIMEMORY_PROFILER_COMPONENTS, "
                             "TIMEMORY_COMPONENTS, or wall_clock)")
    parser.add_argument("-o", "--output", default=None, help="output folder (TIMEMORY_OUTPUT_PATH)")
    parser.add_argument("--flat", action="store_true", help="flat profile")
    parser.add_argument("--timeline", action="store_true", help="every call kept")
    parser.add_argument("--trace-c", action="store_true", help="also measure built-in functions")
    parser.add_argument("--pstats", default=None, metavar="FILE",
                        help="also write a pstats file (pstats.Stats(FILE))")
    parser.add_argument("script", help="the Python script to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="its arguments")
    opts = parser.parse_args(argv)

    if not os.path.isfile(opts.script):
        parser.error("no such script: {}".format(opts.script))
    if opts.output:
        timemory.settings.output_path = opts.output
    components = None
    if opts.components:
        components = [c for arg in opts.components for c in arg.replace(",", " ").split()]
    try:
        prof = Profiler(components, flat=opts.flat, timeline=opts.timeline)
    except ValueError as e:
        parser.error(str(e))
    Config.trace_c = opts.trace_c

    sys.argv = [opts.script] + opts.args
    sys.path.insert(0, os.path.dirname(os.path.abspath(opts.script)))
    timemory.init(sys.argv)
    try:
        with prof:
            runpy.run_path(opts.script, run_name="__main__")
    finally:
        if opts.pstats:
            prof.dump_stats(opts.pstats)
        timemory.finalize()


if __name__ == "__main__":
    main()
