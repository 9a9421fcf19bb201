#!/usr/bin/env python3
"""Checks the reports of test/mpi/mpi_app.c run on N ranks.

usage: check_mpi.py OUTDIR N [--mpip] [--no-collapse]
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import trace_check  # noqa: E402  (test/common)


def load(path):
    with open(path) as f:
        return json.load(f)


def counts(records):
    out = {}
    for r in records:
        out[r["prefix"]] = out.get(r["prefix"], 0) + r["inclusive"]["entry"]["laps"]
    return out


def main():
    outdir, n = sys.argv[1], int(sys.argv[2])
    mpip = "--mpip" in sys.argv
    collapse = "--no-collapse" not in sys.argv
    errors = []

    def expect(what, got, want):
        if got != want:
            errors.append("{}: got {!r}, expected {!r}".format(what, got, want))

    # Rank 0 writes the one report set of the job, in a run folder of its own; the folder
    # the ranks wrote their own entries of the per-rank files into is gone.
    runs = [e for e in os.listdir(outdir) if not e.startswith(".") and e != "latest"]
    expect("run folders in " + outdir, len(runs), 1)
    expect("hidden entries left in " + outdir, [e for e in os.listdir(outdir) if e.startswith(".")], [])
    outdir = os.path.join(outdir, "latest")
    if "--no-rank-reports" in sys.argv:
        # TIMEMORY_RANK_REPORTS=OFF: the combined graph only, checked below.
        expect("per-rank folder", os.path.exists(os.path.join(outdir, "ranks")), False)
        return finish(errors, outdir, n, collapse)
    # With ranks combined, each rank's files are in the "ranks" sub-folder (same names).
    rankdir = os.path.join(outdir, "ranks") if collapse else outdir
    per_rank_file = os.path.join(rankdir, "wall.json")
    body = load(per_rank_file)["timemory"]["wall_clock"]
    expect("number of ranks in " + per_rank_file, len(body["ranks"]), n)
    for entry in body["ranks"]:
        r = entry["rank"]
        c = counts(entry["graph"])
        expect("rank {} main".format(r), c.get("main"), 1)
        expect("rank {} work".format(r), c.get("work"), r + 1)
        expect("rank {} inner".format(r), c.get("inner"), r + 1)
        expect("rank {} root_only".format(r), c.get("root_only"), 1 if r == 0 else None)
        expect("rank {} even_only".format(r), c.get("even_only"), 1 if r % 2 == 0 else None)
        expect("rank {} odd_only".format(r), c.get("odd_only"), 1 if r % 2 == 1 else None)
        if mpip:
            expect("rank {} MPI_Barrier".format(r), c.get("MPI_Barrier"), 2)
            expect("rank {} MPI_Allreduce".format(r), c.get("MPI_Allreduce"), 1)
        else:
            expect("rank {} MPI_Barrier".format(r), c.get("MPI_Barrier"), None)
        for rec in entry["graph"]:
            expect("rank field of rank {}".format(r), rec["rank"], r)

    tree = load(os.path.join(rankdir, "wall.tree.json"))
    expect("tree mpi entries", len(tree["timemory"]["wall_clock"]["mpi"]), n)

    text = open(os.path.join(rankdir, "wall.txt")).read()
    for r in range(n):
        if "|{}>>> main".format(r) not in text:
            errors.append("rank {} table missing from the text report".format(r))

    # The per-rank trace: one process per rank, named by rank; odd_only on odd ranks, inside
    # their main.
    trace = load(os.path.join(rankdir, "wall.flamegraph.json"))
    errors += ["per-rank flamegraph: " + p for p in trace_check.problems(trace)]
    names = {e["pid"]: e["args"]["name"] for e in trace["traceEvents"]
             if e["ph"] == "M" and e["name"] == "process_name"}
    expect("per-rank trace processes", sorted(names), list(range(n)))
    for pid, name in names.items():
        if "(rank {}, pid ".format(pid) not in name:
            errors.append("process {} named {!r}".format(pid, name))
    events = trace_check.complete_events(trace)
    expect("per-rank trace: processes with odd_only",
           sorted(e["pid"] for e in events if e["name"] == "odd_only"), list(range(1, n, 2)))
    errors += nesting_errors(events, "odd_only", "main")
    # Folded stacks of every rank, each under its rank's frame.
    folded = open(os.path.join(rankdir, "wall.folded")).read().splitlines()
    for r in range(n):
        if not any(line.startswith("rank {};main".format(r)) for line in folded):
            errors.append("no folded stack of rank {}".format(r))
    if any(not line.startswith("rank ") for line in folded):
        errors.append("a folded stack without its rank")
    return finish(errors, outdir, n, collapse)


def nesting_errors(events, child, parent):
    """Each `child` event lies inside a `parent` event of its process and thread."""
    out = []
    for c in (e for e in events if e["name"] == child):
        if not any(p["name"] == parent and (p["pid"], p["tid"]) == (c["pid"], c["tid"]) and
                   p["ts"] <= c["ts"] and c["ts"] + c["dur"] <= p["ts"] + p["dur"]
                   for p in events):
            out.append("{} at pid {} is not inside {}".format(child, c["pid"], parent))
    return out


def finish(errors, outdir, n, collapse):
    """The combined graph's files and the flame graph; prints the errors, returns the
    exit status."""

    def expect(what, got, want):
        if got != want:
            errors.append("{}: got {!r}, expected {!r}".format(what, got, want))

    if collapse:
        comb = load(os.path.join(outdir, "wall.json"))["timemory"]["wall_clock"]["ranks"][0]["graph"]
        c = counts(comb)
        expect("combined main", c.get("main"), n)
        expect("combined work", c.get("work"), n * (n + 1) // 2)
        expect("combined root_only", c.get("root_only"), 1)
        expect("combined even_only", c.get("even_only"), (n + 1) // 2)
        work = next(x for x in comb if x["prefix"] == "work")
        expect("combined work present on", work["ranks"], n)
        even = next(x for x in comb if x["prefix"] == "even_only")
        expect("combined even_only present on", even["ranks"], (n + 1) // 2)
        expect("combined odd_only", c.get("odd_only"), n // 2)
        pr = work["per_rank"]
        if not (pr["min"] <= pr["mean"] <= pr["max"]) or abs(pr["sum"] - work["inclusive"]["stats"]["sum"]) > 1e-9:
            errors.append("combined work per-rank stats inconsistent: {}".format(pr))
        combined_text = open(os.path.join(outdir, "wall.txt")).read()
        if "|all>>> main" not in combined_text:
            errors.append("combined text report lacks '|all>>> main'")
        meta = load(os.path.join(outdir, "metadata.json"))["timemory"]
        expect("metadata mpi_size", meta.get("mpi_size"), n)

        # The combined trace: one process (a node that only ranks >= 1 ran is not a
        # second one), under its parent, with times that are the mean per rank.
        trace = load(os.path.join(outdir, "wall.flamegraph.json"))
        errors += ["flamegraph: " + p for p in trace_check.problems(trace)]
        names = [e["args"]["name"] for e in trace["traceEvents"]
                 if e["ph"] == "M" and e["name"] == "process_name"]
        expect("combined trace processes", len(names), 1)
        if names and "(ranks combined)" not in names[0]:
            errors.append("combined trace process named {!r}".format(names[0]))
        events = trace_check.complete_events(trace)
        expect("combined trace odd_only events",
               len([e for e in events if e["name"] == "odd_only"]), 1)
        errors += nesting_errors(events, "odd_only", "main")
        # Hatchet's folder reader merges every *.tree.json of the run folder: there is
        # one per component, the combined graph.
        expect("tree files in the run folder",
               sorted(f for f in os.listdir(outdir) if f.endswith(".tree.json")), ["wall.tree.json"])

    if errors:
        print("\n".join(errors))
        return 1
    print("mpi reports of {} ranks: ok".format(n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
