#!/usr/bin/env python3
"""Checks that Hatchet's timemory reader would name our tree.json nodes right.

Hatchet is not a Debian package, so CI cannot run it. This applies the reader's rules for
a node's "prefix" (as documented by its hatchet/readers/timemory_reader.py: a list of
patterns tried in order, the first that matches decides name, file and line, and nodes of
one name under one parent are one row) to the tree.json files of real runs: C++ (nested
functions and threads), OpenMP, MPI (per-rank trees) and Python (frozen modules, argument
lists, several `<module>` under one parent, threads). Every node must come out with our
name, our file's base name and our line, and no two different functions may share a row.

usage: check_hatchet_labels.py BUILD_DIR PYTHON [MPIRUN]
Prints one line per run checked; exits 1 with the problems found.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap

# The reader's patterns, in its order: [func][file]; label [func/file:line];
# func@file:line/tail (or func/file:line); func@file/tail; func:line/tail.
PATTERNS = [
    r"(^\[)(?P<func>.*)(\]\[)(?P<file>.*)(\]$)",
    r"(?P<head>.+)([ \t]+)\[(?P<func>\S+)([/])(?P<file>\S+):(?P<line>[0-9]+)\]$",
    r"(?P<func>\S+)([@/])(?P<file>\S+):(?P<line>[0-9]+)[/]*(?P<tail>.*)",
    r"(?P<func>\S+)([@/])(?P<file>\S+)([/])(?P<tail>.*)",
    r"(?P<func>\S+):(?P<line>[0-9]+)([/]*)(?P<tail>.*)",
]


def hatchet_fields(prefix):
    """(name, file, line) as the reader derives them from a prefix."""
    for pattern in PATTERNS:
        m = re.search(pattern, prefix)
        if not m:
            continue
        groups = {k: v for k, v in m.groupdict().items() if v}
        if not groups:
            continue
        if "head" in groups:
            return groups["head"].rstrip(), groups["file"], groups["line"]
        name = groups["func"]
        if "tail" in groups:
            name = "{}/{}".format(name, groups["tail"])
        return name, groups.get("file", "<unknown file>"), groups.get("line", "0")
    return prefix, "<unknown>", "0"


def printable(name):
    """Our text form of a name: control bytes as \\xNN (as in the reports' labels)."""
    return "".join("\\x{:02x}".format(ord(c)) if ord(c) < 0x20 or ord(c) == 0x7f else c
                   for c in name)


def check_tree(path):
    """Problems of one tree.json (empty list: Hatchet reads every node right)."""
    with open(path) as f:
        doc = json.load(f)
    problems = []
    for key, body in doc["timemory"].items():
        graphs = body.get("graph") or body.get("mpi") or []
        for rank_trees in graphs:
            stack = [(root, ()) for root in rank_trees]
            while stack:
                item, path_names = stack.pop()
                node = item["node"]
                names_here = {}
                if node["hash"] == 0:  # the dummy root: the reader passes through it
                    here = path_names
                else:
                    name, file, line = hatchet_fields(node["prefix"])
                    want_file = os.path.basename(node.get("file") or "") or "<unknown>"
                    want_file = re.sub(r"\s", "_", want_file)
                    if name != printable(node["name"]):
                        problems.append("{}: name {!r} read as {!r}".format(key, node["name"], name))
                    if file != want_file or line != str(node.get("line", 0)):
                        problems.append("{}: {!r} at {}:{} read as {}:{}".format(
                            key, node["name"], want_file, node.get("line", 0), file, line))
                    here = path_names + (name,)
                for child in item.get("children", []):
                    c = child["node"]
                    if c["hash"] == 0:
                        continue
                    cname = hatchet_fields(c["prefix"])[0]
                    place = (c.get("file"), c.get("line"), c.get("linkage"))
                    other = names_here.setdefault(cname, place)
                    if other != place:
                        problems.append("{}: two functions read as one row {!r} under {}: {} and {}"
                                        .format(key, cname, "/".join(here), other, place))
                    stack.append((child, here))
    return problems


def run(cmd, cwd, env=None):
    full = dict(os.environ, TIMEMORY_COUT_OUTPUT="OFF", **(env or {}))
    subprocess.run(cmd, cwd=cwd, env=full, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE, timeout=300)


PYTHON_PROGRAM = textwrap.dedent("""
    import importlib, json, threading, sys
    sys.path.insert(0, ".")

    def area(width, height):
        return width * height

    def work():
        json.loads(json.dumps({"x": [1, 2, 3]}))

    def main():
        for name in ("pkg.mod_a", "pkg.mod_b"):   # two <module> under one parent
            importlib.import_module(name)
        for name in ("alpha", "beta"):   # two packages' __init__.py under one parent
            importlib.import_module(name)
        for i in range(3):
            area(i, height=2)
        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    main()
""")

# Names with argument lists (spaces, commas, parentheses) and the full path of the file.
ARGS_PROGRAM = textwrap.dedent("""
    from timemory.profiler import Profiler, Config
    Config.include_args = True
    Config.full_filepath = True

    def area(width, height):
        return width * height

    with Profiler():
        for i in range(3):
            area(i, height=2)
""")


def python_run(python, build, work):
    os.makedirs(os.path.join(work, "pkg"))
    open(os.path.join(work, "pkg", "__init__.py"), "w").close()
    for package in ("alpha", "beta"):
        os.makedirs(os.path.join(work, package))
        with open(os.path.join(work, package, "__init__.py"), "w") as f:
            f.write("VALUE = {!r}\n".format(package))
    for mod, value in (("mod_a", 1), ("mod_b", 2)):
        with open(os.path.join(work, "pkg", mod + ".py"), "w") as f:
            f.write("def f():\n    return {}\nX = f()\n".format(value))
    with open(os.path.join(work, "prog.py"), "w") as f:
        f.write(PYTHON_PROGRAM)
    with open(os.path.join(work, "args.py"), "w") as f:
        f.write(ARGS_PROGRAM)
    path = os.path.join(build, "python")
    run([python, "-m", "timemory.profiler", "prog.py"], work,
        {"PYTHONPATH": path, "TIMEMORY_OUTPUT_PATH": "cli"})
    run([python, "args.py"], work, {"PYTHONPATH": path, "TIMEMORY_OUTPUT_PATH": "args"})
    return [os.path.join(work, d, "latest", "wall.tree.json") for d in ("cli", "args")]


def main():
    build, python = os.path.abspath(sys.argv[1]), sys.argv[2]
    mpirun = sys.argv[3] if len(sys.argv) > 3 else ""
    bindir = os.path.join(build, "bin")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        def out_of(name, cmd, env=None):
            work = os.path.join(tmp, name)
            os.makedirs(work)
            run(cmd, work, dict(env or {}, TIMEMORY_OUTPUT_PATH="out"))
            latest = os.path.join(work, "out", "latest")
            return [os.path.join(latest, f) for f in sorted(os.listdir(latest))
                    if f.endswith(".tree.json")]

        app = os.path.join(bindir, "tm-e2e-app")
        runs.append(("C++ nested", out_of("nested", [app, "nested"])))
        runs.append(("C++ threads", out_of("threads", [app, "threads"])))
        runs.append(("C++ threads, per thread",
                     out_of("per-thread", [app, "threads"], {"TIMEMORY_COLLAPSE_THREADS": "OFF"})))
        omp = os.path.join(bindir, "tm-omp-app")
        if os.path.exists(omp):
            runs.append(("OpenMP", out_of("omp", [omp, "phases", "2"], {"OMP_NUM_THREADS": "4"})))
        mpi = os.path.join(bindir, "tm-mpi-app")
        if mpirun and os.path.exists(mpi):
            runs.append(("MPI, 2 ranks", out_of("mpi", [mpirun, "--allow-run-as-root",
                                                        "--oversubscribe", "-np", "2", "-x",
                                                        "TIMEMORY_OUTPUT_PATH=out", "-x",
                                                        "TIMEMORY_COUT_OUTPUT=OFF", mpi])))
        if os.path.isdir(os.path.join(build, "python", "timemory")):
            work = os.path.join(tmp, "python")
            runs.append(("Python", python_run(python, build, work)))
        problems = []
        # The two packages' __init__ modules are two rows, each named by its package.
        if os.path.isdir(os.path.join(build, "python", "timemory")):
            names = set()
            with open(runs[-1][1][0]) as f:
                body = json.load(f)["timemory"]["wall_clock"]
                stack = list((body.get("graph") or body.get("mpi"))[0])
            while stack:
                item = stack.pop()
                names.add(hatchet_fields(item["node"]["prefix"])[0])
                stack += item.get("children", [])
            for want in ("<module>/alpha/__init__.py:1", "<module>/beta/__init__.py:1"):
                if want not in names:
                    problems.append("Python: no row {!r}".format(want))
        for label, files in runs:
            if not files:
                problems.append("{}: no tree.json written".format(label))
            for path in files:
                found = check_tree(path)
                print("{}: {} ({} problems)".format(label, os.path.basename(path), len(found)))
                problems += ["{} {}: {}".format(label, os.path.basename(path), p) for p in found]
    for p in problems[:50]:
        print("PROBLEM", p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
