"""The line tracer (one region per executed source line) and trace regions.

    from timemory.trace import Tracer, Config
    Config.only_filenames = [__file__]

    @Tracer(["wall_clock"])
    def kernel(): ...

Line regions are named by the source text; their file and line are kept as data. They
nest in whatever region is open (a Profiler's function, a marker). ``push``/``pop``
open and close named regions, like timemory.region.
"""

import functools
import re

from .. import _bundle
from .. import libpytimemory as _native
from ..profiler import _PACKAGE_DIR

__all__ = ["Tracer", "Config", "push", "pop", "init", "finalize"]


class Config:
    """Filters of the tracer, read when a Tracer starts (same meaning as the profiler's)."""

    only_functions = []
    only_filenames = []
    skip_functions = []
    skip_filenames = [re.escape(_PACKAGE_DIR) + r"[/\\]", r"threading\.py$",
                      r"<frozen importlib\._bootstrap"]
    include_line = True
    include_filename = True
    full_filepath = False

    @classmethod
    def as_dict(cls):
        d = {}
        for k in ("only_functions", "only_filenames", "skip_functions", "skip_filenames"):
            v = getattr(cls, k)
            if isinstance(v, str):
                v = [v]
            if not isinstance(v, (list, tuple)) or not all(isinstance(x, str) for x in v):
                raise TypeError("trace.Config.{} must be a list of regex strings".format(k))
            d[k] = list(v)
        for k in ("include_line", "include_filename", "full_filepath"):
            d[k] = bool(getattr(cls, k))
        return d


class Tracer:
    """Traces source lines, as a decorator, a context manager, or with start()/stop()."""

    _depth = 0

    def __init__(self, components=None, flat=False, timeline=False):
        self.components = _bundle.require(components)
        self.flat, self.timeline = flat, timeline
        self._started = False

    def start(self):
        if self._started:
            return
        self._started = True
        Tracer._depth += 1
        if Tracer._depth == 1:
            _native.tracer_configure(Config.as_dict())
            _native.init([])
            _native.tracer_start()

    def stop(self):
        if not self._started:
            return
        self._started = False
        Tracer._depth -= 1
        if Tracer._depth == 0:
            _native.tracer_stop()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError("Tracer decorates callables, not {}".format(type(func).__name__))

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)(self.components, self.flat, self.timeline):
                return func(*args, **kwargs)

        return wrapper


def init(components=None, flat=False, label=""):
    """Prepares trace regions: chooses components (before the first measurement) and the
    flat mode."""
    _bundle.require(components)
    if flat:
        from .._settings import settings
        settings.flat_profile = True
    _native.init([])


def finalize():
    """Writes the reports (as timemory.finalize)."""
    _native.finalize()


def push(name):
    """Opens the trace region `name`."""
    if not isinstance(name, str):
        raise TypeError("region name must be a str, not {}".format(type(name).__name__))
    _native.push_region(name)


def pop(name):
    """Closes the trace region `name`."""
    if not isinstance(name, str):
        raise TypeError("region name must be a str, not {}".format(type(name).__name__))
    _native.pop_region(name)
