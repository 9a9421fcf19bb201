"""What the Profiler and the Tracer share: a hook controller and the Config serialiser."""

import functools
import os
import re
import threading

from . import _bundle
from . import libpytimemory as _native
from ._program import program_argv

_FILTER_KEYS = ("only_functions", "only_filenames", "skip_functions", "skip_filenames")

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

# Never measured by default: timemory's own package, the thread bootstrap, the importer.
DEFAULT_SKIP_FILENAMES = (re.escape(PACKAGE_DIR) + r"[/\\]", r"threading\.py$",
                          r"<frozen importlib\._bootstrap")


def config_dict(config, flags, owner):
    """The dict the native hook reads from a Config class: regex lists and booleans."""
    d = {}
    for k in _FILTER_KEYS:
        v = getattr(config, k)
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, (list, tuple)) or not all(isinstance(x, str) for x in v):
            raise TypeError("{}.{} must be a list of regex strings".format(owner, k))
        d[k] = list(v)
    for k in flags:
        d[k] = bool(getattr(config, k))
    return d


class HookController:
    """Start/stop, context manager and decorator over one native hook. Nested controllers
    of the same kind share the hook: the outermost start/stop pair owns it. Subclasses set
    `_native_start`, `_native_stop` and implement `_configure()`.

    Controllers started on several threads at once share it too: start() returns once the
    hook is installed (a second thread's start() waits for the first one's to finish), and
    the hook stays until the last of them stops."""

    _depth = 0  # per subclass, through type(self)
    _lock = threading.RLock()  # start and stop of every controller, whatever its thread

    def __init__(self, components=None, flat=False, timeline=False):
        self.components = _bundle.require(components)
        self.flat = bool(flat)
        self.timeline = bool(timeline)
        self._started = False

    def _configure(self):
        raise NotImplementedError

    def _unconfigure(self):
        """Undoes what _configure set up beyond the native hook (nothing by default)."""

    def start(self):
        """Installs the hook unless one of the same kind already runs."""
        with HookController._lock:
            if self._started:
                return
            self._started = True
            cls = type(self)
            cls._depth += 1
            if cls._depth > 1:
                return
            self._configure()
            _native.init(program_argv())
            type(self)._native_start()

    def stop(self):
        """Removes the hook when this is the outermost running one."""
        with HookController._lock:
            if not self._started:
                return
            self._started = False
            cls = type(self)
            cls._depth -= 1
            if cls._depth == 0:
                type(self)._native_stop()
                self._unconfigure()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError("{} decorates callables, not {}".format(type(self).__name__,
                                                                    type(func).__name__))

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)(self.components, self.flat, self.timeline):
                return func(*args, **kwargs)

        return wrapper
