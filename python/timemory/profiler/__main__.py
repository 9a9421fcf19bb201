"""python -m timemory.profiler [options] [--] script.py [args...]
python -m timemory.profiler [options] -m module [args...]

Runs a script or a module under the timemory profiler, like ``python -m cProfile``: the
profile starts at the user's code (no runpy, importlib or timemory frames in it), the
reports go to the output folder when it ends, and the exit status is the program's.
Options come before the script or ``-m module``; everything after it is the program's.
"""

import argparse
import builtins
import io
import os
import sys
import types

import timemory
from timemory._settings import split_list
from timemory.profiler import Config, Profiler

def _parser():
    p = argparse.ArgumentParser(
        prog="python -m timemory.profiler",
        usage="%(prog)s [options] [--] script.py [args...]\n"
              "       %(prog)s [options] -m module [args...]",
        description="Profile a Python program with timemory.")
    p.add_argument("-c", "--components", action="append", default=None, metavar="LIST",
                   help="components to collect, comma-separated, repeatable (default: "
                        "TIMEMORY_PROFILER_COMPONENTS, TIMEMORY_COMPONENTS, or wall_clock)")
    p.add_argument("-d", "--output-dir", default=None, metavar="DIR",
                   help="output folder (TIMEMORY_OUTPUT_PATH)")
    p.add_argument("-o", "--outfile", "--pstats", dest="pstats", default=None, metavar="FILE",
                   help="also write a pstats file (pstats.Stats(FILE)), as cProfile -o does")
    p.add_argument("--flat", action="store_true", help="flat profile")
    p.add_argument("--timeline", action="store_true", help="every call kept")
    p.add_argument("--trace-c", action="store_true", help="also measure built-in functions")
    return p


def _valued_options(parser):
    """The option strings that take a value: the scan for the script skips their values."""
    return {s for a in parser._actions if a.option_strings and a.nargs != 0
            for s in a.option_strings}


def split_argv(argv, valued):
    """(options, module or None, script or None, program args): options end at the first
    positional argument, at ``-m NAME`` or at ``--``."""
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            rest = argv[i + 1:]
            return argv[:i], None, (rest[0] if rest else None), rest[1:]
        if a == "-m":
            if i + 1 >= len(argv):
                return argv[:i], "", None, []
            return argv[:i], argv[i + 1], None, argv[i + 2:]
        if a.startswith("-m") and not a.startswith("--") and len(a) > 2:  # -mpkg.mod
            return argv[:i], a[2:], None, argv[i + 1:]
        if not a.startswith("-") or a == "-":
            return argv[:i], None, a, argv[i + 1:]
        if a in valued:
            i += 1  # its value, whatever it looks like
        i += 1
    return argv, None, None, []


def _script_target(path):
    with io.open_code(path) as f:
        code = compile(f.read(), path, "exec")
    main = {"__name__": "__main__", "__file__": path, "__package__": None,
            "__cached__": None, "__spec__": None}
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    return code, main, path


def _module_target(name):
    import runpy
    # What `python -m` does (cProfile uses the same helper): import the parent packages,
    # find the module's code (a package's __main__), without running it.
    mod_name, spec, code = runpy._get_module_details(name)
    main = {"__name__": "__main__", "__file__": spec.origin, "__package__": spec.parent,
            "__loader__": spec.loader, "__spec__": spec, "__cached__": spec.cached}
    sys.path.insert(0, os.getcwd())
    return code, main, spec.origin


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    opt_args, module, script, prog_args = split_argv(argv, _valued_options(parser))
    opts = parser.parse_args(opt_args)
    if module == "":
        parser.error("-m needs a module name")
    if module is None and script is None:
        parser.error("no script or -m module given")

    try:
        if module is not None:
            code, globs, argv0 = _module_target(module)
        else:
            if not os.path.isfile(script):
                parser.error("no such script: {}".format(script))
            code, globs, argv0 = _script_target(script)
    except ImportError as e:
        parser.error(str(e))

    components = None
    if opts.components:
        components = [c for arg in opts.components for c in split_list(arg)]
    try:
        prof = Profiler(components, flat=opts.flat, timeline=opts.timeline)
    except ValueError as e:
        parser.error(str(e))
    Config.trace_c = opts.trace_c

    sys.argv = [argv0] + prog_args
    # A real module object as __main__, as `python script.py` has: pickling the script's
    # functions (multiprocessing) and `import __main__` find it.
    module_obj = types.ModuleType("__main__")
    module_obj.__dict__.update(globs)
    module_obj.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = module_obj
    timemory.init(sys.argv)
    if opts.output_dir:  # after init: a %p in it names the script, not the interpreter
        timemory.settings.output_path = opts.output_dir
    try:
        prof.start()
        try:
            exec(code, module_obj.__dict__)
        finally:
            prof.stop()
    finally:
        if opts.pstats:
            prof.dump_stats(opts.pstats)
        timemory.finalize()


if __name__ == "__main__":
    main()
