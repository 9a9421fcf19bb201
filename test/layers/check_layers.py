#!/usr/bin/env python3
"""Checks that the runtime's includes only point down its layers (docs/architecture.md).

Every `#include "<folder>/..."` in runtime/src is looked up in LAYERS: a file may include
its own layer and the layers below, never one above. Public headers (timemory/) are the
contract every layer shares. Backend folders are split by file: a backend's settings file
belongs to the settings layer, its catalog to the measurement layer, the rest plugs into the
runtime (a backend's implementation is reached only through backends/backend.hpp). Prints each include that points up and exits 1 when there is one.
"""
import pathlib
import re
import sys

# Bottom first; folders in one tuple form one layer and may include each other.
LAYERS = [
    ("base", "regex"),
    ("settings",),
    ("components", "backends"),
    ("graph",),
    ("output",),
    ("runtime", "hooks"),
    ("api", "backend implementations"),
    ("mpi",),
]
BACKENDS = ("papi", "cupti", "ompt")
SHARED = ("timemory",)
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([^"]+)"', re.M)


def layer_of(folder, file_name):
    if file_name.endswith("_settings.inc") or file_name == "backend_settings.inc.in":
        folder = "settings"  # a backend's settings, and the generated list of them
    elif folder in BACKENDS:
        if file_name.endswith("_catalog.cpp") or file_name == "activity_graph.cpp" or \
                file_name == "activity_graph.hpp":
            # The catalog and CUPTI's activity graph need no library: always built, they sit
            # with the components and the graph they describe.
            folder = "components" if file_name.endswith("_catalog.cpp") else "graph"
        else:
            folder = "backend implementations"
    for rank, names in enumerate(LAYERS):
        if folder in names:
            return rank
    return None


def main():
    src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "runtime/src")
    problems, checked = [], 0
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".cpp", ".hpp", ".inc", ".in") or not path.is_file():
            continue
        rel = path.relative_to(src)
        here = layer_of(rel.parts[0], path.name)
        if here is None:
            problems.append(f"{rel}: folder '{rel.parts[0]}' is in no layer (add it to LAYERS)")
            continue
        for folder, rest in INCLUDE.findall(path.read_text(errors="replace")):
            if folder in SHARED:
                continue
            checked += 1
            there = layer_of(folder, pathlib.PurePath(rest).name)
            if there is None:
                problems.append(f"{rel}: includes '{folder}/{rest}', a folder in no layer")
            elif there > here:
                problems.append(f"{rel} ({'/'.join(LAYERS[here])}) includes '{folder}/{rest}' "
                                f"({'/'.join(LAYERS[there])}), a layer above it")
    for p in problems:
        print(p)
    print(f"{checked} includes checked, {len(problems)} pointing up or unplaced")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
