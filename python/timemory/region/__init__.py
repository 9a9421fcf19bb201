"""Named regions: ``timemory.region.push("name")`` ... ``timemory.region.pop("name")``.

Regions nest in the call tree like functions; pushing the same name again reuses its node.
"""

from .. import libpytimemory as _native

__all__ = ["push", "pop"]


def push(name):
    """Opens the region `name` on the calling thread."""
    if not isinstance(name, str):
        raise TypeError("region name must be a str, not {}".format(type(name).__name__))
    _native.push_region(name)


def pop(name):
    """Closes the innermost open region `name` on the calling thread."""
    if not isinstance(name, str):
        raise TypeError("region name must be a str, not {}".format(type(name).__name__))
    _native.pop_region(name)
