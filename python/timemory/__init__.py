"""timemory: where time and memory go, in Python and C/C++ together.

The package feeds the same runtime (libtimemory-rt.so) as C/C++ code instrumented with
timemory's Clang plugin or markers, so Python frames and C++ functions form one call
tree. Reports are written when the program exits (or by :func:`finalize`) into
``timemory-<program>-output/``.

Submodules:
    profiler   function-level profiler (C-level interpreter hook), ``python -m timemory.profiler``
    trace      line-level tracer, and trace.push/pop regions
    region     named regions: region.push/pop
    util       ``marker`` and ``auto_timer`` decorators and context managers
    component  stand-alone component classes (WallClock, PeakRss, ...) and the ``id`` enum
    storage    the recorded call graph, flat (``get``) or nested (``get_tree``)
    settings   every runtime setting as an attribute
    mpi        ranks with mpi4py: gather every rank's graph to rank 0 (``timemory.mpi.init()``)
    hardware_counters  PAPI counters: what this machine has, and counting around a block
"""

import inspect as _inspect
import os as _os
import sys as _sys

from . import libpytimemory as _native
from ._program import program_argv
from ._settings import settings

version = _native.version
version_info = tuple(int(x) for x in version.split("."))

__all__ = [
    "version", "version_info", "settings", "init", "initialize", "finalize", "enable",
    "disable", "toggle", "is_enabled", "enabled", "report", "FILE", "FUNC", "LINE",
    "enable_signal_detection", "disable_signal_detection", "set_exit_action",
    "profiler", "trace", "region", "util", "component", "storage",
]


def initialize(argv=None, prefix="timemory-", suffix="-output"):
    """Starts the runtime now (it otherwise starts on the first measurement).

    ``argv`` (default ``sys.argv``) is recorded in metadata.json and names the output
    folder ``<prefix><program><suffix>`` unless TIMEMORY_OUTPUT_PATH is set. Components
    must be chosen (``settings.components``) before this or the first measurement.
    """
    argv = program_argv(argv)
    if "TIMEMORY_OUTPUT_PATH" not in _os.environ and (prefix, suffix) != ("timemory-", "-output"):
        settings.output_path = prefix + "%p" + suffix
    _native.init(argv)


init = initialize


def finalize():
    """Stops the profiler and tracer, writes every report and stops measuring."""
    _native.finalize()


def enable():
    """Resumes measuring on every thread."""
    _native.set_enabled(True)


def disable():
    """Pauses measuring on every thread (regions already open still close)."""
    _native.set_enabled(False)


def toggle(on=True):
    """Enables (``on=True``) or disables measuring."""
    _native.set_enabled(bool(on))


def is_enabled():
    """True when the runtime is measuring."""
    return _native.is_enabled()


enabled = is_enabled


def report(filename=""):
    """Writes every report for the data so far and returns the output folder.

    ``filename``, when given, also receives the text tables of every component."""
    folder = _native.write_reports()
    if filename:
        texts = []
        for name in sorted(_os.listdir(folder)) if folder else []:
            if name.endswith(".txt"):
                with open(_os.path.join(folder, name)) as f:
                    texts.append(f.read())
        with open(filename, "w") as f:
            f.write("\n".join(texts))
    return folder


def FILE(back=2, only_basename=True, use_dirname=False, noquotes=True):
    """The file name of the caller ``back - 1`` frames up."""
    frame = _inspect.stack()[back - 1]
    path = frame.filename
    if only_basename:
        path = (_os.path.join(_os.path.basename(_os.path.dirname(path)), _os.path.basename(path))
                if use_dirname else _os.path.basename(path))
    return path if noquotes else "'{}'".format(path)


def FUNC(back=2):
    """The function name of the caller ``back - 1`` frames up."""
    return _inspect.stack()[back - 1].function


def LINE(back=1):
    """The line number ``back`` frames up (1: the line calling LINE)."""
    return _inspect.stack()[back].lineno


def enable_signal_detection(signal_list=None):
    """Writes the reports when a fatal signal arrives (SIGSEGV, SIGABRT, ... or the given
    list of signal numbers), then lets the signal proceed."""
    _native.enable_signal_detection([int(s) for s in (signal_list or [])])


def disable_signal_detection():
    """Stops calling the exit action on signals (the handlers stay; the default action
    follows them)."""
    _native.set_exit_action(None)


def set_exit_action(function):
    """Calls ``function(signal_number)`` when a fatal signal is caught, before the reports
    are written. Best effort: the process is ending."""
    if function is not None and not callable(function):
        raise TypeError("set_exit_action expects a callable, not {}".format(type(function).__name__))
    _native.set_exit_action(function)


from . import component, profiler, region, storage, trace, util  # noqa: E402
