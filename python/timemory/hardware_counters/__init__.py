"""PAPI hardware and software-defined counters.

Two ways to count:

* in the call graph, with the ``papi_vector`` (or ``papi_array``) component and the events
  in ``timemory.settings.papi_events`` (``TIMEMORY_PAPI_EVENTS``): every region, decorated
  function and profiled frame gets one value per event;
* stand-alone, with :class:`Counters`, around any block of code in the calling thread.

    >>> from timemory import hardware_counters as hw
    >>> ok, why = hw.available()
    >>> with hw.Counters(["PAPI_TOT_INS"]) as c:
    ...     work()
    >>> c.values()
    {'PAPI_TOT_INS': 123456}

Events that cannot be counted here (no hardware counters in a VM, an unknown name) raise
``RuntimeError`` naming the event and PAPI's reason.
"""

from .. import libpytimemory as _native
from .._settings import split_list

__all__ = ["available", "events", "components", "in_use", "Counters"]


def available():
    """``(True, "")`` when PAPI works here, else ``(False, reason)``."""
    return tuple(_native.hardware_counters_available())


def events(available_only=False):
    """Every event PAPI knows here: dicts with name, description, component, available."""
    out = _native.hardware_counter_events()
    return [e for e in out if e["available"]] if available_only else out


def components():
    """PAPI's components: ``"name: enabled"`` or ``"name: disabled (reason)"``."""
    return list(_native.hardware_counter_components())


def in_use():
    """The events ``papi_vector`` counts in this run (after the runtime has started)."""
    return list(_native.hardware_counter_events_in_use())


class Counters:
    """Counts ``events`` in the calling thread: ``start()``/``stop()`` pairs (or a ``with``
    block) accumulate; ``values()`` maps each event to its total."""

    def __init__(self, events):
        if isinstance(events, str):
            events = split_list(events)
        self._native = _native.HardwareCounters(list(events))

    def start(self):
        self._native.start()

    def stop(self):
        self._native.stop()

    def events(self):
        return list(self._native.events)

    def values(self):
        return dict(zip(self._native.events, self._native.values()))

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False
