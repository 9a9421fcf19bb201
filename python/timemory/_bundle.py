"""Choosing the runtime's components from the Python API.

The runtime collects one set of components for the whole process, fixed when it starts.
A Profiler, marker or Tracer asking for components before that adds them to the set; one
asking later gets a warning naming what will not be collected.
"""

import warnings

from . import libpytimemory as _native
from ._settings import settings, split_list

_warned = set()


def _names(components):
    if components is None:
        return []
    if isinstance(components, str):
        components = [components]
    out = []
    for c in components:
        name = getattr(c, "name", c)  # an id enum member or a string
        if not isinstance(name, str):
            raise TypeError("components must be names (str) or timemory.component.id members, "
                            "not {}".format(type(c).__name__))
        out.append(name)
    return out


def require(components):
    """Makes sure `components` are collected; returns their ids. Raises ValueError for an
    unknown name (with the closest valid names)."""
    ids = []
    catalog = _native.component_catalog(availability=False)
    known = {c["id"] for c in catalog}
    labels = {c["label"]: c["id"] for c in catalog}
    for name in _names(components):
        cid = name if name in known else labels.get(name)
        if cid is None:
            hint = ", ".join(_native.closest_components(name))
            raise ValueError("unknown component '{}'; closest valid names: {}".format(name, hint))
        ids.append(cid)
    if not ids:
        return ids
    if not _native.initialized():
        current = split_list(settings.components)
        merged = current + [c for c in ids if c not in current]
        if merged != current:
            settings.components = ",".join(merged)
        return ids
    active = set(_native.active_components())
    missing = [c for c in ids if c not in active]
    if missing and tuple(missing) not in _warned:
        _warned.add(tuple(missing))
        warnings.warn("timemory is already collecting {}; {} will not be collected (choose "
                      "components before the first measurement, e.g. TIMEMORY_COMPONENTS)"
                      .format(", ".join(sorted(active)), ", ".join(missing)), RuntimeWarning,
                      stacklevel=3)
    return ids
