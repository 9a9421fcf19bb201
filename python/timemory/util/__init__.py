"""Decorators and context managers that measure a function or a block as one region."""

import functools
import os
import sys

from .. import _bundle
from .. import libpytimemory as _native

__all__ = ["marker", "auto_timer"]


def _label(func, key, add_args, is_class, args):
    name = key or (func.__qualname__ if func is not None else "")
    if is_class and args:
        name = "{}.{}".format(type(args[0]).__name__, name)
    if add_args and args:
        name += "({})".format(", ".join(repr(a) for a in args))
    return name


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

# One site per region name and place, for the whole process: `with marker(key=...)` in a
# loop (a new marker each time, or the same one) reuses one node, as region.push/pop do.
_sites = {}


def _interned(name, file, line):
    key = (name, file, line)
    site = _sites.get(key)
    if site is None:
        site = _sites[key] = _native.Site(name, file, line, True)
    return site


def _user_frame():
    """The innermost frame outside the timemory package: the code using the marker."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_PACKAGE_DIR):
        f = f.f_back
    return f


class marker:
    """Measures a function (decorator) or a block (context manager) as a region.

    ``components``: the components to collect (added to the process's set when the runtime
    has not started yet). ``key``: the region's name (default: the function's qualified
    name; for a block, the calling function's name and line). ``add_args``: append the
    call's arguments to the name. ``is_class``: prefix the class name of the first
    argument (``self``).
    """

    def __init__(self, components=None, key="", add_args=False, is_class=False):
        _bundle.require(components)
        self.key = key
        self.add_args = add_args
        self.is_class = is_class
        self._site = None
        self._open = []

    def _site_for(self, name, file, line):
        return _interned(name, file, line)

    def __call__(self, func):
        if not callable(func):
            raise TypeError("marker decorates callables, not {}".format(type(func).__name__))
        code = getattr(func, "__code__", None)
        file = code.co_filename if code else ""
        line = code.co_firstlineno if code else 0
        fixed = None if (self.add_args or self.is_class) else self._site_for(
            _label(func, self.key, False, False, ()), file, line)
        sites = {}

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            site = fixed
            if site is None:
                name = _label(func, self.key, self.add_args, self.is_class, args)
                site = sites.get(name)
                if site is None:
                    site = sites[name] = self._site_for(name, file, line)
            site.enter()
            try:
                return func(*args, **kwargs)
            finally:
                site.exit()

        return wrapper

    def __enter__(self):
        f = _user_frame()
        code = f.f_code if f is not None else None
        if self.key:
            # A named region is one node wherever it is opened (like region.push).
            site = self._site_for(self.key, "", 0)
        else:
            func = getattr(code, "co_qualname", code.co_name) if code else "<unknown>"
            line = f.f_lineno if f is not None else 0
            site = self._site_for("{}:{}".format(func, line), code.co_filename if code else "",
                                  line)
        site.enter()
        self._open.append(site)
        return self

    def __exit__(self, *exc):
        self._open.pop().exit()
        return False


class auto_timer(marker):
    """A marker measuring wall-clock time (and whatever else the process collects), with
    ``report_at_exit``: print the block's or call's wall time to stdout when it ends."""

    def __init__(self, key="", add_args=False, is_class=False, report_at_exit=False,
                 components=("wall_clock",)):
        super().__init__(components, key, add_args, is_class)
        self.report_at_exit = report_at_exit
        self._clocks = []

    def __call__(self, func):
        inner = super().__call__(func)
        if not self.report_at_exit:
            return inner

        @functools.wraps(func)
        def reporting(*args, **kwargs):
            clock = _native.Measurement("wall_clock")
            clock.start()
            try:
                return inner(*args, **kwargs)
            finally:
                clock.stop()
                self._print(_label(func, self.key, self.add_args, self.is_class, args), clock)

        return reporting

    def __enter__(self):
        super().__enter__()
        clock = _native.Measurement("wall_clock")
        clock.start()
        self._clocks.append(clock)
        return self

    def __exit__(self, *exc):
        clock = self._clocks.pop()
        clock.stop()
        site = self._open[-1]
        super().__exit__(*exc)
        if self.report_at_exit:
            self._print(site.name, clock)
        return False

    @staticmethod
    def _print(name, clock):
        sys.stdout.write("[{}] {:.3f} {} wall\n".format(name, clock.get(), clock.units))
        sys.stdout.flush()
