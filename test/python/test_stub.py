"""The native module's stub (timemory/libpytimemory.pyi) matches the module built for this
interpreter: the same top-level names, the same members of each class."""

import ast
import os
import sys

from timemory import libpytimemory as native

STUB = os.path.join(os.path.dirname(native.__file__), "libpytimemory.pyi")


def _applies(test):
    """Evaluates a stub's `if sys.version_info >= (3, N):` for this interpreter."""
    if (isinstance(test, ast.Compare) and isinstance(test.left, ast.Attribute)
            and test.left.attr == "version_info" and len(test.ops) == 1
            and isinstance(test.ops[0], ast.GtE)):
        return sys.version_info >= ast.literal_eval(test.comparators[0])
    raise AssertionError("unsupported condition in the stub: " + ast.dump(test))


def _stub_names(body):
    names = {}
    for node in body:
        if isinstance(node, ast.If):
            names.update(_stub_names(node.body if _applies(node.test) else node.orelse))
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            members = None
            if isinstance(node, ast.ClassDef):
                members = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
            names[node.name] = members
        elif isinstance(node, ast.AnnAssign):
            names[node.target.id] = None
    return names


def _public(obj):
    return {k for k in dir(obj) if not k.startswith("__")}


def test_stub_matches_the_native_module():
    with open(STUB) as f:
        stub = _stub_names(ast.parse(f.read()).body)
    module = _public(native)
    assert set(stub) - module == set(), "in the stub, not in the module"
    assert module - set(stub) == set(), "in the module, not in the stub"
    for name, members in stub.items():
        if members is None:
            continue
        obj = getattr(native, name)
        have = {k for k in _public(obj) if not k.startswith("_")}
        if isinstance(obj, type):  # pybind11 classes: their own members only
            have = {k for k in vars(obj) if not k.startswith("_")}
        declared = {m for m in members if not m.startswith("_")}
        assert declared == have, (name, sorted(declared ^ have))
