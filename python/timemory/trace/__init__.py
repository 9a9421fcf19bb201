"""The line tracer (one region per executed source line) and trace regions.

    from timemory.trace import Tracer, Config
    Config.only_filenames = [__file__]

    @Tracer(["wall_clock"])
    def kernel(): ...

Line regions are named by the source text; their file and line are kept as data. They
nest in whatever region is open (a Profiler's function, a marker). ``push``/``pop``
open and close named regions (the same as timemory.region's).
"""


from .. import _bundle
from .. import libpytimemory as _native
from .._hook import DEFAULT_SKIP_FILENAMES, HookController, config_dict
from .._program import program_argv
from ..region import pop, push

__all__ = ["Tracer", "Config", "push", "pop", "init", "finalize"]


class Config:
    """Filters of the tracer, read when a Tracer starts (same meaning as the profiler's)."""

    only_functions = []
    only_filenames = []
    skip_functions = []
    skip_filenames = list(DEFAULT_SKIP_FILENAMES)
    include_line = True
    include_filename = True
    full_filepath = False

    @classmethod
    def as_dict(cls):
        return config_dict(cls, ("include_line", "include_filename", "full_filepath"),
                           "trace.Config")


class Tracer(HookController):
    """Traces source lines, as a decorator, a context manager, or with start()/stop()."""

    _depth = 0
    _native_start = staticmethod(_native.tracer_start)
    _native_stop = staticmethod(_native.tracer_stop)

    def _configure(self):
        _native.tracer_configure(Config.as_dict())


def init(components=None, flat=False, label=""):
    """Prepares trace regions: chooses components (before the first measurement) and the
    flat mode."""
    _bundle.require(components)
    if flat:
        from .._settings import settings
        settings.flat_profile = True
    _native.init(program_argv())


def finalize():
    """Writes the reports (as timemory.finalize)."""
    _native.finalize()
