"""Stand-alone component classes, one per runtime component, and the ``id`` enum.

An instance measures on its own: ``start()``/``stop()`` pairs accumulate (``laps()``),
``get()`` returns the total in display units. Nothing goes into the call graph unless
``push()``/``pop()`` are called: those open and close a region named by the instance's
key, measured by the process's components (``timemory.settings.components``).

    >>> from timemory.component import WallClock
    >>> wc = WallClock("solve")
    >>> wc.start(); solve(); wc.stop()
    >>> wc.get(), wc.laps()
"""

import enum

from .. import libpytimemory as _native

__all__ = ["id", "Component"]

# Names and descriptions only: whether PAPI or CUDA components work is asked when a program
# asks (their libraries are opened then, not at import).
_CATALOG = _native.component_catalog(availability=False)


def _fnv1a(text):
    h = 0xCBF29CE484222325
    for b in text.encode():
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


id = enum.IntEnum("id", [(c["id"], i) for i, c in enumerate(_CATALOG)])
id.__doc__ = "Component enumerations for timemory module"


class Component:
    """Base of the component classes; use a concrete one (``WallClock``, ``PeakRss``...)."""

    _id = None
    _info = None

    def __init__(self, key=""):
        if self._id is None:
            raise TypeError("Component is abstract: use a concrete class such as WallClock")
        if not isinstance(key, str):
            raise TypeError("key must be a str, not {}".format(type(key).__name__))
        self._key = key or self._info["label"]
        self._native = _native.Measurement(self._id)
        self._region = None

    # --- measuring ------------------------------------------------------------------
    def start(self):
        """Starts a lap (no-op when already started)."""
        self._native.start()

    def stop(self):
        """Ends the lap and adds it to the total (no-op when not started)."""
        self._native.stop()

    def measure(self):
        """Replaces the value by a reading now (a level: current RSS, peak RSS, a clock)."""
        self._native.measure()

    def mark_begin(self):
        """Marks the start of asynchronous work (GPU streams); the Linux components have
        nothing asynchronous to mark, so this does nothing for them."""

    def mark_end(self):
        """Marks the end of asynchronous work; nothing for the Linux components."""

    def reset(self):
        """Sets the total and the laps back to zero."""
        self._native.reset()

    def get(self):
        """The total of all laps, in display units (see ``units()``)."""
        return self._native.get()

    def laps(self):
        """Completed start/stop pairs."""
        return self._native.laps

    # --- the call graph -------------------------------------------------------------
    def push(self):
        """Opens a region named by the key in the call graph (nested under what is open)."""
        if self._region is None:
            self._region = _native.Site(self._key, "", 0, True)
        self._region.enter()

    def pop(self):
        """Closes the region opened by ``push()``."""
        if self._region is None:
            raise RuntimeError("{}.pop() without push()".format(type(self).__name__))
        self._region.exit()

    # --- identity -------------------------------------------------------------------
    def key(self):
        """The name used by push()/pop() and repr."""
        return self._key

    def rekey(self, key):
        """Renames the instance; a later push() uses the new name."""
        if not isinstance(key, str):
            raise TypeError("key must be a str, not {}".format(type(key).__name__))
        self._key = key
        self._region = None

    def hash(self):
        """The hash of the key, as the call-graph storage computes it."""
        return _fnv1a(self._key)

    def units(self):
        """Display units of get(): "sec", "MB", "%", ... ("" for counts)."""
        return self._native.units

    # --- arithmetic -----------------------------------------------------------------
    def _combined(self, other, sign):
        if type(other) is not type(self):
            return NotImplemented
        out = type(self)(self._key)
        out._native.combine(self._native, 1)
        out._native.combine(other._native, sign)
        return out

    def __add__(self, other):
        return self._combined(other, 1)

    def __sub__(self, other):
        return self._combined(other, -1)

    def __repr__(self):
        units = self.units()
        return "{:>8.3f}{} {}".format(self.get(), " " + units if units else "", self._info["label"])

    # --- class-level information ----------------------------------------------------
    @classmethod
    def label(cls):
        """The short label used in report file names, e.g. "wall"."""
        return cls._info["label"]

    @classmethod
    def description(cls):
        """One line describing what the component measures."""
        return cls._info["description"]

    @classmethod
    def available(cls):
        """True when this machine can measure it (see ``unavailable_reason``)."""
        return _native.component_available(cls._id)[0]

    @classmethod
    def unavailable_reason(cls):
        """Why the component is unavailable here ("" when it is available)."""
        ok, why = _native.component_available(cls._id)
        return "" if ok else why


class _PapiGroup(Component):
    """Several PAPI events at once: the events of ``timemory.settings.papi_events`` (or
    ``events=``), counted stand-alone in the calling thread; ``get()`` returns one total
    per event (see ``timemory.hardware_counters``)."""

    def __init__(self, key="", events=None):
        from ..hardware_counters import Counters
        from .._settings import settings
        if not isinstance(key, str):
            raise TypeError("key must be a str, not {}".format(type(key).__name__))
        self._key = key or self._info["label"]
        if events is None:  # before the runtime starts, the setting still has its default
            import os
            events = settings.papi_events or os.environ.get("TIMEMORY_PAPI_EVENTS", "")
        self._counters = Counters(events)
        self._laps = 0
        self._region = None

    def start(self):
        self._counters.start()

    def stop(self):
        self._counters.stop()
        self._laps += 1

    def measure(self):
        raise TypeError("{} counts between start() and stop()".format(type(self).__name__))

    def reset(self):
        self._counters = type(self._counters)(self._counters.events())
        self._laps = 0

    def get(self):
        """One total per event, in event order."""
        return list(self._counters.values().values())

    def events(self):
        return self._counters.events()

    def laps(self):
        return self._laps

    def units(self):
        return ""

    def __add__(self, other):
        return NotImplemented

    __sub__ = __add__

    def __repr__(self):
        return "{} {}".format(self._counters.values(), self._info["label"])


class _ReportOnly(Component):
    """Recorded for the whole program only (its own report): no stand-alone instances."""

    def __init__(self, key=""):
        raise TypeError("{} cannot measure stand-alone: add '{}' to "
                        "timemory.settings.components (TIMEMORY_COMPONENTS) and read its "
                        "report".format(type(self).__name__, self._id))


def _class_name(component_id):
    return "".join(part.capitalize() for part in component_id.split("_"))


# Components with several values or their own report, by id: the base of their class.
_GROUPS = {"papi_vector": _PapiGroup, "papi_array": _PapiGroup, "cupti_activity": _ReportOnly}

for _c in _CATALOG:
    _name = _class_name(_c["id"])
    _base = _GROUPS.get(_c["id"], Component)
    _cls = type(_name, (_base,), {
        "_id": _c["id"], "_info": _c,
        "__doc__": "{} ({}). Units: {}.".format(_c["description"], _c["id"], _c["kind"]),
    })
    globals()[_name] = _cls
    __all__.append(_name)

del _c, _name, _cls, _base


def by_id(component_id):
    """The component class for an id (a string or an ``id`` member)."""
    name = getattr(component_id, "name", component_id)
    cls = globals().get(_class_name(str(name)))
    if cls is None or not isinstance(cls, type) or not issubclass(cls, Component):
        hint = ", ".join(_native.closest_components(str(name)))
        raise ValueError("unknown component '{}'; closest valid names: {}".format(name, hint))
    return cls
