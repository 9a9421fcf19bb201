"""The function profiler: one timemory region per Python function call.

The hook is a C callback registered with the interpreter's profiling API (no Python-level
call per event), installed on every thread (running ones, and new ones through
``threading.setprofile``). Python frames and functions of C/C++ extensions instrumented
with timemory land in one call tree.

    from timemory.profiler import Profiler, Config
    Config.only_filenames = [__file__]

    @Profiler(["wall_clock", "peak_rss"])
    def main(): ...

    with Profiler() as p:
        work()
    p.dump_stats("work.prof")      # readable by pstats.Stats

Also ``python -m timemory.profiler [-c components] [-o outdir] script.py args...``.
"""

import marshal
import os

from .. import libpytimemory as _native
from .._hook import DEFAULT_SKIP_FILENAMES, HookController, config_dict
from .._settings import settings, split_list

__all__ = ["Profiler", "Config", "profile", "FakeProfiler"]



class Config:
    """Filters and labels of the profiler, read when a Profiler starts.

    only_functions / only_filenames: regexes; when non-empty, only matching functions /
        files are measured. skip_functions / skip_filenames: regexes never measured.
        Regexes are searched (``re.search`` semantics) in the qualified name / file path.
    include_line, include_filename, full_filepath: the label is
        ``name/file.py:line``, the file as its module path (its path below the sys.path
        entry holding it: ``concurrent/futures/__init__.py``) unless full_filepath.
    include_args: append the argument names: ``name(a, b)/file.py:line``.
    trace_c: also measure calls of built-in (C) functions, keyed by their method definition.
    max_stack_depth: Python frames deeper than this are not measured.
    """

    only_functions = []
    only_filenames = []
    skip_functions = []
    skip_filenames = list(DEFAULT_SKIP_FILENAMES)
    include_line = True
    include_filename = True
    full_filepath = False
    include_args = False
    trace_c = False
    max_stack_depth = 2**31 - 1

    @classmethod
    def as_dict(cls):
        d = config_dict(cls, ("include_line", "include_filename", "full_filepath",
                              "include_args", "trace_c"), "Config")
        depth = cls.max_stack_depth
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
            raise ValueError("Config.max_stack_depth must be a positive int, not {!r}".format(depth))
        d["max_stack_depth"] = depth
        return d


def _default_components():
    for var in ("TIMEMORY_PROFILER_COMPONENTS", "TIMEMORY_COMPONENTS", "TIMEMORY_GLOBAL_COMPONENTS"):
        text = os.environ.get(var, "").strip()
        if text:
            return split_list(text)
    return ["wall_clock"]


class Profiler(HookController):
    """Profiles Python calls, as a decorator, a context manager, or with start()/stop().

    ``components``: names (or ``timemory.component.id`` members); default
    TIMEMORY_PROFILER_COMPONENTS, then TIMEMORY_COMPONENTS, then wall_clock. ``flat`` and
    ``timeline`` set the call-graph mode. Nested profilers share one hook: the outermost
    start/stop pair owns it.
    """

    _depth = 0
    _native_start = staticmethod(_native.profiler_start)
    _native_stop = staticmethod(_native.profiler_stop)

    def __init__(self, components=None, flat=False, timeline=False, **kwargs):
        if kwargs:
            raise TypeError("Profiler() got unexpected arguments: {}".format(", ".join(kwargs)))
        super().__init__(components if components is not None else _default_components(),
                         flat, timeline)

    def _configure(self):
        _nest_new_threads(True)
        from . import _children
        _children.install(self.components, self.flat, self.timeline)
        if self.flat:
            settings.flat_profile = True
        if self.timeline:
            settings.timeline_profile = True
        _native.profiler_configure(Config.as_dict())

    def _unconfigure(self):
        _nest_new_threads(False)
        from . import _children
        _children.uninstall()

    def runcall(self, func, *args, **kwargs):
        """Calls ``func(*args, **kwargs)`` under the profiler and returns its result."""
        with self:
            return func(*args, **kwargs)

    def run(self, cmd, globals=None, locals=None):
        """Executes the source string ``cmd`` under the profiler (like cProfile.run)."""
        import __main__
        g = __main__.__dict__ if globals is None else globals
        with self:
            exec(cmd, g, g if locals is None else locals)
        return self

    # --- pstats ---------------------------------------------------------------------
    def create_stats(self):
        """The pstats dictionary of everything recorded so far (wall_clock needed)."""
        return pstats_dict()

    def dump_stats(self, path):
        """Writes a file that ``pstats.Stats(path)`` reads: ncalls with primitive calls,
        tottime, cumtime and callers, from the wall_clock call graph."""
        with open(path, "wb") as f:
            marshal.dump(pstats_dict(), f)


_thread_start = None
_thread_bootstrap_inner = None


def _nest_new_threads(on):
    """While profiling, threading.Thread.start records the region its caller has open, and
    the new thread adopts it before it runs anything, so its functions nest under it (as
    C++ threads' do). Thread._bootstrap_inner runs first in every threading.Thread (3.11
    to 3.13), before any code of the thread's own."""
    global _thread_start, _thread_bootstrap_inner
    import threading
    if on and _thread_start is None:
        _thread_start = threading.Thread.start
        _thread_bootstrap_inner = threading.Thread._bootstrap_inner

        def start(self, *args, **kwargs):
            self._timemory_parent = _native.capture_parent()
            return _thread_start(self, *args, **kwargs)

        def _bootstrap_inner(self):
            token = getattr(self, "_timemory_parent", 0)
            if token:
                _native.adopt_parent(token)
            return _thread_bootstrap_inner(self)

        start.__doc__ = _thread_start.__doc__
        threading.Thread.start = start
        threading.Thread._bootstrap_inner = _bootstrap_inner
    elif not on and _thread_start is not None:
        threading.Thread.start = _thread_start
        threading.Thread._bootstrap_inner = _thread_bootstrap_inner
        _thread_start = _thread_bootstrap_inner = None


def profile(components=None, flat=False, timeline=False):
    """A Profiler, for ``with profile([...]):`` or ``@profile([...])``."""
    return Profiler(components, flat, timeline)


class FakeProfiler:
    """A do-nothing stand-in with the Profiler interface (for switching profiling off)."""

    def __init__(self, *args, **kwargs):
        pass

    def start(self):
        pass

    def stop(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, func):
        return func


def _function_key(node):
    name = node.name
    if node.language == 3 and ":" in node.linkage:  # Python: linkage is "file:qualname"
        name = node.linkage.rpartition(":")[2]
    return (node.file or "~", node.line, name)


def pstats_dict():
    """pstats' format, {(file, line, name): (cc, nc, tt, ct, callers)}, from the call graph.

    nc counts every call, cc the primitive ones (not inside a call of the same function);
    tt is self time, ct time including callees counted once per primitive call; callers
    maps each caller to (nc, cc, tt, ct) of the calls it made.
    """
    result = _native.snapshot()
    comp = next((i for i, c in enumerate(result.components) if c.id == "wall_clock"), -1)
    if comp < 0:
        raise RuntimeError("pstats output needs wall_clock among the collected components "
                           "(TIMEMORY_COMPONENTS)")
    to_sec = result.components[comp].unit_value / 1e9
    nodes = result.nodes
    keys = [_function_key(n) for n in nodes]
    stats = {}
    for i, n in enumerate(nodes):
        key = keys[i]
        primitive = True
        p = n.parent
        while p >= 0:
            if keys[p] == key:
                primitive = False
                break
            p = nodes[p].parent
        tt = n.exclusive[comp].sum * to_sec
        ct = n.inclusive[comp].sum * to_sec if primitive else 0.0
        cc = n.count if primitive else 0
        old = stats.get(key, (0, 0, 0.0, 0.0, {}))
        callers = old[4]
        stats[key] = (old[0] + cc, old[1] + n.count, old[2] + tt, old[3] + ct, callers)
        if n.parent >= 0:
            ck = keys[n.parent]
            prev = callers.get(ck, (0, 0, 0.0, 0.0))
            callers[ck] = (prev[0] + n.count, prev[1] + cc, prev[2] + tt, prev[3] + ct)
    return stats
