#!/usr/bin/env python3
"""Asserts the shape of a timemory <label>.tree.json.

usage: check_tree.py FILE [--component ID] CHECK...

Each CHECK is one of
  a>b>c=N       the node reached by that path of names from the top exists with N calls
  a>b>c         the node exists
  !a>b>c        no such node
  !a>b@throttled   the node exists and is not throttled
  a>b@children=K   the node has exactly K children
  a>b@throttled    the node is marked throttled
  a>b@language=c++ the node's language
(`@`, not `:`, marks an attribute: C++ names are full of colons.)
Exits 1 listing every failed check, and prints the tree it read.
"""
import json
import sys


def load(path, component):
    with open(path) as f:
        data = json.load(f)["timemory"]
    if component is None:
        component = next(iter(data))
    body = data[component]  # "mpi" (one entry) when threads other than main ran
    root = (body["graph"] if "graph" in body else body["mpi"])[0][0]
    return root


def find(root, path):
    node = root
    for name in path:
        nxt = [c for c in node["children"] if c["node"]["name"] == name]
        if not nxt:
            return None
        node = nxt[0]
    return node


def dump(node, depth=0, out=None):
    out = [] if out is None else out
    for c in node["children"]:
        n = c["node"]
        out.append("  " * depth + f'{n["name"]} ({n["inclusive"]["entry"]["laps"]})')
        dump(c, depth + 1, out)
    return out


def main(argv):
    component = None
    if len(argv) > 2 and argv[1] == "--component":
        component = argv[2]
        argv = [argv[0]] + argv[3:]
    if len(argv) < 2:
        print(__doc__)
        return 2
    root = load(argv[1], component)
    failures = []
    for check in argv[2:]:
        negate = check.startswith("!")
        check = check.lstrip("!")
        attr = None
        if "@" in check.split(">")[-1]:
            check, attr = check.rsplit("@", 1)
        expect = None
        if attr is None and "=" in check.split(">")[-1]:
            check, expect = check.rsplit("=", 1)
        node = find(root, check.split(">"))
        if negate and attr == "throttled":
            if node is None:
                failures.append(f"missing node {check}")
            elif node["node"].get("throttled"):
                failures.append(f"{check}: throttled, expected not")
            continue
        if negate:
            if node is not None:
                failures.append(f"unexpected node {check}")
            continue
        if node is None:
            failures.append(f"missing node {check}")
            continue
        n = node["node"]
        if expect is not None and n["inclusive"]["entry"]["laps"] != int(expect):
            failures.append(f"{check}: {n['inclusive']['entry']['laps']} calls, expected {expect}")
        if attr == "throttled" and not n.get("throttled"):
            failures.append(f"{check}: not throttled")
        if attr and attr.startswith("children="):
            k = int(attr.split("=")[1])
            if len(node["children"]) != k:
                failures.append(f"{check}: {len(node['children'])} children, expected {k}")
        if attr and attr.startswith("language="):
            lang = attr.split("=")[1]
            if n.get("language") != lang:
                failures.append(f"{check}: language {n.get('language')}, expected {lang}")
    if failures:
        print("\n".join(failures))
        print("tree read:\n" + "\n".join(dump(root)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
