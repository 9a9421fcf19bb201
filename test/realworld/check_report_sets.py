#!/usr/bin/env python3
"""Checks an output folder that many processes wrote into (TIMEMORY_RUN_FOLDERS): each run
folder is complete, holds one process's reports (its pid in the name and in metadata.json),
and parses; nothing was left half-written. Prints a summary; exits 1 on any problem.

usage: check_report_sets.py OUTPUT_FOLDER [MIN_RUNS]
"""
import json
import os
import re
import sys

NAME = re.compile(r"^\d{8}-\d{6}\.\d{3}-(\d+)(-\d+)?$")
FILES = ["metadata.json", "wall.json", "wall.tree.json", "wall.txt", "wall.flamegraph.json"]


def main(folder, min_runs):
    problems = []
    runs = 0
    nodes = 0
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if entry == "latest":
            if not os.path.islink(path) or not NAME.match(os.readlink(path)):
                problems.append("latest is not a link to a run folder")
            continue
        m = NAME.match(entry)
        if not m:
            problems.append("unexpected entry {!r} (a staging folder left behind?)".format(entry))
            continue
        runs += 1
        missing = [f for f in FILES if not os.path.isfile(os.path.join(path, f))]
        if missing:
            problems.append("{}: missing {}".format(entry, ", ".join(missing)))
            continue
        try:
            with open(os.path.join(path, "metadata.json")) as f:
                meta = json.load(f)["timemory"]
            with open(os.path.join(path, "wall.json")) as f:
                graph = json.load(f)["timemory"]["wall_clock"]["ranks"][0]["graph"]
            for name in ("wall.tree.json", "wall.flamegraph.json"):
                with open(os.path.join(path, name)) as f:
                    json.load(f)
        except (ValueError, KeyError) as e:
            problems.append("{}: unreadable report ({})".format(entry, e))
            continue
        if meta["pid"] != int(m.group(1)):
            problems.append("{}: metadata of pid {}".format(entry, meta["pid"]))
        if not graph:
            problems.append("{}: empty graph".format(entry))
        nodes += len(graph)
        for rec in graph:
            if rec["exclusive"]["stats"]["sum"] is not None and rec["exclusive"]["stats"]["sum"] < 0:
                problems.append("{}: negative self time at {}".format(entry, rec["prefix"]))
                break
    if runs < min_runs:
        problems.append("only {} run folders, expected at least {}".format(runs, min_runs))
    for p in problems[:40]:
        print("FAIL:", p)
    print("{} run folders, {} call-graph nodes, {} problems".format(runs, nodes, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1))
