"""The recorded call graph, per component: ``WallClockStorage.get()`` (flat records in
pre-order, the hierarchy in ``depth``/``hierarchy()`` and an indented ``prefix()``) and
``WallClockStorage.get_tree()`` (nested: ``value()`` and ``children()``, starting with a
dummy root node). The data is a copy taken at the call; changing it changes nothing in
the runtime. A component the process does not collect has an empty storage.
"""

import math

from .. import component as _component
from .. import libpytimemory as _native

__all__ = ["Statistics", "Data", "FlatRecord", "TreeValue", "TreeEntry", "TreeNode"]


class Statistics:
    """Summary of a node's calls: ``sum``, ``min``, ``max``, ``sqr`` (sum of squares),
    ``count``, ``mean``, ``stddev``. Unknown values (exclusive min/max) are NaN."""

    def __init__(self, stats, count):
        self.sum, self.mean, self.min, self.max, self.stddev = (
            stats.sum, stats.mean, stats.min, stats.max, stats.stddev)
        self.count = count
        sd = 0.0 if math.isnan(self.stddev) else self.stddev
        self.sqr = count * (sd * sd + self.mean * self.mean)

    def __repr__(self):
        return "[sum: {:g}] [min: {:g}] [max: {:g}] [sqr: {:g}] [count: {}]".format(
            self.sum, self.min, self.max, self.sqr, self.count)


class Data:
    """A node's value for one component: ``value`` in ``units``, ``laps`` calls."""

    def __init__(self, value, units, label, laps):
        self.value, self.units, self.label, self.laps = value, units, label, laps

    def get(self):
        return self.value

    def __float__(self):
        return float(self.value)

    def __repr__(self):
        return "{:>8.3f}{} {}".format(self.value, " " + self.units if self.units else "", self.label)


class FlatRecord:
    """One node of the flat layout."""

    def __init__(self, node, comp, info, hierarchy):
        self._n, self._c, self._info, self._h = node, comp, info, hierarchy

    def tid(self):
        return self._n.tid

    def pid(self):
        return self._n.pid

    def depth(self):
        return self._n.depth

    def hash(self):
        return self._n.hash

    def rolling_hash(self):
        return self._n.rolling_hash

    def prefix(self):
        """The name with the text report's decoration (">>> |_name")."""
        d = self._n.depth
        return ">>> " + ("  " * (d - 1) + "|_" if d > 0 else "") + self._n.name

    def name(self):
        return self._n.name

    def file(self):
        return self._n.file

    def line(self):
        return self._n.line

    def hierarchy(self):
        """Rolling hashes from the top-level ancestor down to this node."""
        return list(self._h)

    def data(self):
        return Data(self._n.inclusive[self._c].sum, self._info.units, self._info.label,
                    self._n.count)

    def stats(self):
        return Statistics(self._n.inclusive[self._c], self._n.count)

    def __repr__(self):
        return "{} : {}".format(self.prefix(), self.data())


class TreeEntry:
    """Inclusive or exclusive value of a tree node."""

    def __init__(self, stats, count, info):
        self._s, self._count, self._info = stats, count, info

    def data(self):
        return Data(self._s.sum, self._info.units, self._info.label, self._count)

    def stats(self):
        return Statistics(self._s, self._count)


class TreeValue:
    """The value of one node of the nested layout."""

    def __init__(self, node, comp, info):
        self._n, self._c, self._info = node, comp, info

    def is_dummy(self):
        """True for the root bookmark node (depth -1, hash 0), which holds no data."""
        return self._n is None

    def tid(self):
        return {0} if self._n is None else {self._n.tid}

    def pid(self):
        return set() if self._n is None else {self._n.pid}

    def depth(self):
        return -1 if self._n is None else self._n.depth

    def hash(self):
        return 0 if self._n is None else self._n.hash

    def prefix(self):
        return "unknown-hash=0" if self._n is None else self._n.name

    def inclusive(self):
        return TreeEntry(_ZERO if self._n is None else self._n.inclusive[self._c],
                         0 if self._n is None else self._n.count, self._info)

    def exclusive(self):
        return TreeEntry(_ZERO if self._n is None else self._n.exclusive[self._c],
                         0 if self._n is None else self._n.count, self._info)


class TreeNode:
    """A node of the nested layout: ``value()`` and ``children()``."""

    def __init__(self, value, children):
        self._v, self._children = value, children

    def value(self):
        return self._v

    def children(self):
        return list(self._children)


class _Zero:
    sum = mean = min = max = stddev = 0.0


_ZERO = _Zero()


def _component_index(result, component_id):
    for i, c in enumerate(result.components):
        if c.id == component_id:
            return i
    return -1


def _flat(component_id):
    result = _native.snapshot()
    c = _component_index(result, component_id)
    if c < 0:
        return []
    info = result.components[c]
    nodes = result.nodes
    out = []
    for i, n in enumerate(nodes):
        path, p = [], i
        while p >= 0:
            path.append(nodes[p].rolling_hash)
            p = nodes[p].parent
        out.append(FlatRecord(n, c, info, list(reversed(path))))
    return out


def _tree(component_id):
    result = _native.snapshot()
    c = _component_index(result, component_id)
    if c < 0:
        return []
    info = result.components[c]
    nodes = result.nodes

    def build(i):
        n = nodes[i]
        return TreeNode(TreeValue(n, c, info), [build(k) for k in n.children])

    top = [build(i) for i, n in enumerate(nodes) if n.parent < 0]
    return [TreeNode(TreeValue(None, c, info), top)]


def _make_storage(cls):
    component_id = cls._id

    class Storage:
        __doc__ = "Call-graph storage of {} ({}).".format(cls.__name__, component_id)

        @staticmethod
        def get():
            """The flat layout: one record per node, in pre-order."""
            return _flat(component_id)

        @staticmethod
        def get_tree():
            """The nested layout: a dummy root whose children are the top-level nodes."""
            return _tree(component_id)

    Storage.__name__ = Storage.__qualname__ = cls.__name__ + "Storage"
    return Storage


for _name in list(_component.__all__):
    _cls = getattr(_component, _name)
    # Groups (papi_vector: one value per event; cupti_activity: its own report) have no
    # single-valued storage: read them from timemory.snapshot() or their report files.
    if (isinstance(_cls, type) and issubclass(_cls, _component.Component) and _cls._id
            and _cls._id not in _component._GROUPS):
        globals()[_name + "Storage"] = _make_storage(_cls)
        __all__.append(_name + "Storage")
del _name, _cls
