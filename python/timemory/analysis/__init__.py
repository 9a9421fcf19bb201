"""Reading run folders and comparing runs: what `timemory-report` prints, as Python objects.

The standard library only (pandas optional, for `.to_dataframe()`), and nothing from the
rest of the package: the `timemory-report` tool loads this file on its own, so it works
where the extension module is not built.

    run = load("timemory-app-output")          # an output folder: its newest run
    cmp = compare(load("base"), load("cand"))  # or compare([runs...], [runs...])
    for row in cmp.regressions(): print(row.path, row.self_rel)

A call path is the list of its frames, each frame a function's name and file (its line
left out, so code that moved within its file still matches; a Python label is its
qualified name, without the module path and line it carries). Values are in the component's units as the run wrote them.
"""

import json
import math
import os

__all__ = ["ReportError", "Run", "Node", "load", "compare", "Comparison", "PathDelta",
           "merge", "to_callgrind", "to_pstats", "difffolded"]


class ReportError(Exception):
    """A folder that is not a run, a file that is not timemory's, runs that cannot be
    compared: the message names the file and the problem."""


class Node:
    """One node of a run's graph (one call path on one thread)."""

    __slots__ = ("name", "file", "line", "language", "count", "total", "self", "depth",
                 "parent", "tid", "path", "stddev", "min", "max")

    def __init__(self, rec, parent_path):
        self.name = rec.get("name", rec.get("prefix", ""))
        self.file = rec.get("file", "")
        self.line = rec.get("line", 0)
        self.language = rec.get("language", "")
        self.count = int(rec["inclusive"]["entry"]["laps"])
        self.total = _number(rec["inclusive"]["entry"]["value"])
        self.self = _number(rec["exclusive"]["entry"]["value"])
        self.depth = rec.get("depth", 0)
        self.parent = rec.get("parent", -1)
        self.tid = rec.get("tid", 0)
        st = rec["inclusive"].get("stats", {})
        sd = st.get("stddev")
        self.stddev = 0.0 if isinstance(sd, dict) else _number(sd)  # per call
        self.min = _number(st.get("min", self.total)) if not isinstance(st.get("min"), dict) \
            else 0.0
        self.max = _number(st.get("max", self.total)) if not isinstance(st.get("max"), dict) \
            else 0.0
        self.path = parent_path + (frame_key(self.name, self.file, self.language),)


def _number(v):
    if isinstance(v, list):  # a multi-valued component: its first value
        v = v[0] if v else 0
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else 0.0


def frame_key(name, file, language=""):
    """A frame as paths are matched: its function's name and its file's base name. A
    Python label ("qualname/module/path.py:line") is its qualified name: the file is in
    the other field, and its line and module path may differ between two checkouts."""
    if language == "python":
        name = name.split("/", 1)[0]
    return (name, os.path.basename(file or ""))


class Run:
    """One run folder: its metadata and, per component, its nodes in pre-order."""

    def __init__(self, path, metadata, components):
        self.path = path
        self.metadata = metadata
        self.components = components  # id → {"label", "units", "nodes": [Node]}

    @property
    def command_line(self):
        return self.metadata.get("command_line", [])

    def component(self, cid=None):
        """The component `cid` (an id or a label), or the first (wall_clock when there)."""
        if cid is None:
            cid = "wall_clock" if "wall_clock" in self.components else next(iter(self.components))
        for key, c in self.components.items():
            if cid in (key, c["label"]):
                return c
        raise ReportError("{}: no component '{}' (it has: {})".format(
            self.path, cid, ", ".join(sorted(self.components))))

    def paths(self, cid=None):
        """{call path: [count, total, self]}: nodes of one path on several threads added."""
        out = {}
        for n in self.component(cid)["nodes"]:
            v = out.setdefault(n.path, [0, 0.0, 0.0])
            v[0] += n.count
            v[1] += n.total
            v[2] += n.self
        return out

    def to_dataframe(self, cid=None):
        pandas = _pandas()

        return pandas.DataFrame([{"path": ";".join(f[0] for f in n.path), "name": n.name,
                                  "file": n.file, "line": n.line, "tid": n.tid,
                                  "count": n.count, "total": n.total, "self": n.self}
                                 for n in self.component(cid)["nodes"]])


def _pandas():
    try:
        import pandas  # optional: only .to_dataframe() needs it
    except ImportError:
        raise ReportError("to_dataframe() needs pandas (Debian: python3-pandas)") from None
    return pandas


def _read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise ReportError("{}: missing".format(path))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise ReportError("{}: not a readable JSON file ({})".format(path, e))


def run_folder_of(path):
    """`path` itself when it is a run folder (it has metadata.json), else the newest run in
    the output folder `path` (`latest`, or the last complete run by name)."""
    if os.path.isfile(os.path.join(path, "metadata.json")):
        return path
    if not os.path.isdir(path):
        raise ReportError("{}: no such folder".format(path))
    latest = os.path.join(path, "latest")
    if os.path.isfile(os.path.join(latest, "metadata.json")):
        return os.path.realpath(latest)
    runs = sorted(e for e in os.listdir(path) if not e.startswith(".") and
                  not e.endswith(".incomplete") and
                  os.path.isfile(os.path.join(path, e, "metadata.json")))
    if not runs:
        raise ReportError("{}: not a run folder (no metadata.json) and no run folder in it"
                          .format(path))
    return os.path.join(path, runs[-1])


def load(path):
    """The run in `path`: a run folder, or an output folder (its newest run)."""
    folder = run_folder_of(path)
    meta_doc = _read_json(os.path.join(folder, "metadata.json"))
    meta = meta_doc.get("timemory") if isinstance(meta_doc, dict) else None
    if not isinstance(meta, dict) or "components" not in meta:
        raise ReportError("{}: not timemory's metadata.json".format(
            os.path.join(folder, "metadata.json")))
    prefix = meta.get("settings", {}).get("TIMEMORY_OUTPUT_PREFIX", "") or ""
    components = {}
    for c in meta["components"]:
        file = os.path.join(folder, prefix + c["label"] + ".json")
        if not os.path.exists(file):
            continue  # a component with its own file name (a group): not read here
        doc = _read_json(file)
        try:
            body = doc["timemory"][c["id"]]
            graph = body["ranks"][0]["graph"]
            nodes = []
            for rec in graph:
                p = rec.get("parent", -1)
                parent_path = nodes[p].path if 0 <= p < len(nodes) else ()
                nodes.append(Node(rec, parent_path))
        except (KeyError, IndexError, TypeError, ValueError) as e:
            raise ReportError("{}: not a timemory report of '{}' ({}: {})".format(
                file, c["id"], type(e).__name__, e))
        units = body.get("unit_repr", c.get("units", ""))
        components[c["id"]] = {"label": c["label"], "units": units if isinstance(units, str)
                               else "", "nodes": nodes}
    if not components:
        raise ReportError("{}: no report file of any component".format(folder))
    return Run(folder, meta, components)


class PathDelta:
    """One call path compared: base and candidate means, deltas, and a verdict."""

    __slots__ = ("path", "base", "cand", "self_delta", "self_rel", "total_delta", "total_rel",
                 "count_delta", "noise", "verdict", "status")

    def as_dict(self):
        return {"path": [list(f) for f in self.path], "base": self.base, "cand": self.cand,
                "self_delta": self.self_delta, "self_rel": self.self_rel,
                "total_delta": self.total_delta, "total_rel": self.total_rel,
                "count_delta": self.count_delta, "noise": self.noise, "verdict": self.verdict,
                "status": self.status}


def _mean_sd(values):
    n = len(values)
    m = sum(values) / n
    sd = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    return m, sd


class Comparison:
    """Every call path of two sets of runs: `rows` (PathDelta), the component and units."""

    def __init__(self, rows, component, units, threshold, base_runs, cand_runs):
        self.rows = rows
        self.component = component
        self.units = units
        self.threshold = threshold
        self.base_runs = base_runs
        self.cand_runs = cand_runs

    def regressions(self):
        return [r for r in self.rows if r.verdict == "regression"]

    def improvements(self):
        return [r for r in self.rows if r.verdict == "improvement"]

    def as_dict(self):
        return {"component": self.component, "units": self.units, "threshold": self.threshold,
                "base_runs": self.base_runs, "cand_runs": self.cand_runs,
                "paths": [r.as_dict() for r in self.rows]}

    def to_dataframe(self):
        pandas = _pandas()

        return pandas.DataFrame([dict(r.as_dict(), path=";".join(f[0] for f in r.path))
                                 for r in self.rows])


# How far beyond its noise a change must be to count: about 3 standard errors (a false
# alarm in roughly 1 of 300 paths for normal noise; fewer with the size threshold too).
NOISE_SIGMAS = 3.0


def compare(base, cand, component=None, threshold=0.05, min_share=0.01):
    """Compares two runs, or two sets of runs of the same program.

    A path's verdict is on its self time, each run's divided by the run's pace (the median,
    over the paths that matter, of its self time over the base mean: a loaded machine slows
    every path of a run alike, one slower function does not move it): "regression" (or
    "improvement") when the mean changed by more than `threshold` (a fraction) of the base
    mean, by more than NOISE_SIGMAS standard errors of the difference, and by more than
    `min_share` of the base run's total; else "noise". With several runs on a side, a top-level path (main) is
    judged on its total as it is, so a run slower as a whole is a regression too (a single
    run each cannot tell that from a slower machine). The noise is the spread between the runs of a set;
    with one run on a side, the spread of that run's calls (its count times the per-call
    variance, from the run's own statistics) where there is one. Paths only in one side
    are "added" or "vanished"."""
    base = base if isinstance(base, (list, tuple)) else [base]
    cand = cand if isinstance(cand, (list, tuple)) else [cand]
    if not base or not cand:
        raise ReportError("compare needs at least one run on each side")
    cid = component
    first = base[0].component(cid)
    units = first["units"]
    for r in list(base) + list(cand):
        c = r.component(cid)
        if c["units"] != units:
            raise ReportError("{} reports '{}' in {}, {} in {}: runs of different units "
                              "cannot be compared".format(r.path, c["label"], c["units"],
                                                          base[0].path, units))
    label = first["label"]
    per_call_var = [_per_call_variance(r, cid) for r in base], [_per_call_variance(r, cid)
                                                                 for r in cand]
    bpaths = [r.paths(cid) for r in base]
    cpaths = [r.paths(cid) for r in cand]
    keys_b = set().union(*bpaths)
    keys_c = set().union(*cpaths)
    if keys_b and keys_c and not (keys_b & keys_c):
        raise ReportError("no call path in common between {} and {} (different programs, "
                          "or C and Python runs?)".format(base[0].path, cand[0].path))
    base_total = _mean_sd([sum(v[1] for p, v in bp.items() if len(p) == 1) for bp in bpaths])[0]
    # Each run's pace: the median over the paths that matter of its self time over the base
    # mean. A run on a loaded machine is slower in every path alike; one slower function
    # does not move the median. Self times are judged divided by their run's pace.
    ref = {}
    for bp in bpaths:
        for p, v in bp.items():
            ref[p] = ref.get(p, 0.0) + v[2] / len(bpaths)
    floor = min_share * base_total
    pace_b = [_pace(bp, ref, floor) for bp in bpaths]
    pace_c = [_pace(cp, ref, floor) for cp in cpaths]
    rows = []
    for path in sorted(keys_b | keys_c):
        b = [bp.get(path, [0, 0.0, 0.0]) for bp in bpaths]
        c = [cp.get(path, [0, 0.0, 0.0]) for cp in cpaths]
        row = PathDelta()
        row.path = path
        mb_self, sb_self = _mean_sd([v[2] for v in b])
        mc_self, sc_self = _mean_sd([v[2] for v in c])
        mb_tot = _mean_sd([v[1] for v in b])[0]
        mc_tot = _mean_sd([v[1] for v in c])[0]
        mb_cnt = _mean_sd([v[0] for v in b])[0]
        mc_cnt = _mean_sd([v[0] for v in c])[0]
        row.base = {"count": mb_cnt, "total": mb_tot, "self": mb_self}
        row.cand = {"count": mc_cnt, "total": mc_tot, "self": mc_self}
        row.self_delta = mc_self - mb_self
        row.total_delta = mc_tot - mb_tot
        row.count_delta = mc_cnt - mb_cnt
        row.self_rel = row.self_delta / mb_self if mb_self > 0 else None
        row.total_rel = row.total_delta / mb_tot if mb_tot > 0 else None
        in_b = any(path in bp for bp in bpaths)
        in_c = any(path in cp for cp in cpaths)
        row.status = "both" if in_b and in_c else ("added" if in_c else "vanished")
        several = len(b) > 1 or len(c) > 1
        if len(path) == 1 and several:
            # A top-level path (main) on its total, as it is: with sets of runs, the whole
            # run getting slower is a regression of its own (a single run each cannot tell
            # it from a slower machine).
            vb, vc = [v[1] for v in b], [v[1] for v in c]
        else:
            vb = [v[2] / k for v, k in zip(b, pace_b)]
            vc = [v[2] / k for v, k in zip(c, pace_c)]
        mb, sb = _mean_sd(vb)
        mc, sc = _mean_sd(vc)
        # The standard error of the difference of the means: the spread between the runs of
        # a set, or a single run's own per-call spread.
        var_b = sb ** 2 / len(b) if len(b) > 1 else _path_var(per_call_var[0], path)
        var_c = sc ** 2 / len(c) if len(c) > 1 else _path_var(per_call_var[1], path)
        row.noise = math.sqrt(var_b + var_c)
        change = mc - mb
        big = abs(change) > max(threshold * mb, NOISE_SIGMAS * row.noise,
                                0.0 if len(path) == 1 and several else floor)
        if row.status != "both" or not big:
            row.verdict = "noise" if row.status == "both" else row.status
        else:
            row.verdict = "regression" if change > 0 else "improvement"
        rows.append(row)
    order = {"regression": 0, "improvement": 1, "added": 2, "vanished": 3, "noise": 4}
    rows.sort(key=lambda r: (order[r.verdict], -abs(r.self_delta)))
    return Comparison(rows, label, units, threshold, [r.path for r in base],
                      [r.path for r in cand])


def _pace(paths, ref, floor):
    """A run's pace against the base means `ref`: the median of its self time over the base
    mean, over the paths that matter (at least `floor` in both; three or more of them), or
    1 when too few paths tell."""
    ratios = sorted(paths[p][2] / ref[p] for p in ref
                    if p in paths and ref[p] >= floor and paths[p][2] >= floor and ref[p] > 0)
    if len(ratios) < 3:
        return 1.0
    mid = len(ratios) // 2
    return ratios[mid] if len(ratios) % 2 else (ratios[mid - 1] + ratios[mid]) / 2


def _per_call_variance(run, cid):
    """{path: variance of the path's value in one run}, from the run's own per-call
    statistics: its count times the per-call variance (of the inclusive value: the
    exclusive one is not kept per call)."""
    out = {}
    for n in run.component(cid)["nodes"]:
        out[n.path] = out.get(n.path, 0.0) + n.count * n.stddev * n.stddev
    return out


def _path_var(variances, path):
    """The variance of a side's mean from its runs' own statistics."""
    vals = [v.get(path, 0.0) for v in variances]
    return sum(vals) / len(vals) / len(vals) if vals else 0.0


def difffolded(comparison, scale=1e6):
    """Lines "a;b;c base cand" (self values times `scale`, integers): the input of
    flamegraph.pl's difffolded mode for a red/blue differential flame graph."""
    lines = []
    for r in sorted(comparison.rows, key=lambda r: r.path):
        b = int(round(r.base["self"] * scale))
        c = int(round(r.cand["self"] * scale))
        if b or c:
            stack = ";".join(f[0].replace(";", ":") for f in r.path)
            lines.append("{} {} {}".format(stack, b, c))
    return "\n".join(lines) + ("\n" if lines else "")


# Display units → integer cost units for formats that count in integers (callgrind).
_TIME_SCALE = {"sec": (1e9, "ns"), "s": (1e9, "ns"), "msec": (1e6, "ns"), "ms": (1e6, "ns"),
               "usec": (1e3, "ns"), "us": (1e3, "ns"), "nsec": (1.0, "ns"), "ns": (1.0, "ns")}


def to_callgrind(run, component=None):
    """The run in callgrind's format (KCachegrind, QCachegrind, callgrind_annotate): one
    function per name and file, its self cost on its line, and for each function it called
    the number of calls and their inclusive cost. Call paths are folded into functions, as
    callgrind's model is per function; times are integer nanoseconds."""
    comp = run.component(component)
    scale, event = _TIME_SCALE.get(comp["units"], (1.0, comp["label"].replace(" ", "_")))
    nodes = comp["nodes"]
    functions = {}  # (name, file) → {"line", "self", "calls": {(callee) → [count, incl]}}
    order = []
    for n in nodes:
        key = (n.name, n.file)
        if key not in functions:
            functions[key] = {"line": n.line, "self": 0.0, "calls": {}}
            order.append(key)
        functions[key]["self"] += n.self
        if 0 <= n.parent < len(nodes):
            p = nodes[n.parent]
            edge = functions[(p.name, p.file)]["calls"].setdefault(key, [0, 0.0, n.line])
            edge[0] += n.count
            edge[1] += n.total
    out = ["# callgrind format", "version: 1", "creator: timemory-report",
           "cmd: " + " ".join(run.command_line), "positions: line", "events: " + event]
    total = 0
    for key in order:
        f = functions[key]
        cost = int(round(f["self"] * scale))
        total += cost
        out += ["", "fl=" + (key[1] or "???"), "fn=" + key[0], "{} {}".format(f["line"], cost)]
        for (cname, cfile), (count, incl, cline) in f["calls"].items():
            out += ["cfl=" + (cfile or "???"), "cfn=" + cname,
                    "calls={} {}".format(count, cline),
                    "{} {}".format(f["line"], int(round(incl * scale)))]
    out += ["", "totals: {}".format(total), ""]
    return "\n".join(out)


def to_pstats(run, component=None):
    """The run as Python's pstats data (the marshalled dict `pstats.Stats` loads; snakeviz
    and gprof2dot read it): per function (file, line, name) its calls, self time, and
    cumulative time counted once for recursion (only at the outermost call of the function
    on a path), with the calls from each caller. Times in seconds."""
    comp = run.component(component)
    scale = _TIME_SCALE.get(comp["units"], (1e9, "ns"))[0] / 1e9
    nodes = comp["nodes"]
    stats = {}
    keys = [(n.file or "~", n.line, n.name) for n in nodes]
    inside = []  # per node: the functions on its path, its own included
    for i, n in enumerate(nodes):
        above = inside[n.parent] if 0 <= n.parent < len(nodes) else frozenset()
        key = keys[i]
        recursive = key in above
        inside.append(above | {key})
        cc, nc, tt, ct, callers = stats.get(key, (0, 0, 0.0, 0.0, {}))
        cc += 0 if recursive else n.count
        nc += n.count
        tt += n.self * scale
        ct += 0.0 if recursive else n.total * scale
        if 0 <= n.parent < len(nodes):
            c = callers.get(keys[n.parent], (0, 0, 0.0, 0.0))
            callers[keys[n.parent]] = (c[0] + (0 if recursive else n.count), c[1] + n.count,
                                       c[2] + n.self * scale, c[3] + n.total * scale)
        stats[key] = (cc, nc, tt, ct, callers)
    return stats


def merge(runs, out):
    """Repeated runs of one program merged into the run folder `out` (created; it must not
    exist): per call path, counts and values summed over the runs, per-call mean, min and
    max over every call, and "runs": the mean, min and max of the path's total over the
    runs (0 where a run did not have it). Written as <label>.json (flat records, read by
    load() and every command) and <label>.tree.json (Hatchet's layout), with metadata.json
    naming the runs merged. Returns `out`."""
    if not runs:
        raise ReportError("merge needs at least one run")
    if os.path.exists(out):
        raise ReportError("{}: already exists (merge writes a new run folder)".format(out))
    ids = list(runs[0].components)
    for r in runs[1:]:
        if list(r.components) != ids:
            raise ReportError("{} has components {}, {} has {}: runs of different components "
                              "cannot be merged".format(r.path, sorted(r.components),
                                                        runs[0].path, sorted(ids)))
    os.makedirs(out)
    components = []
    for cid in ids:
        comps = [r.components[cid] for r in runs]
        units = comps[0]["units"]
        if any(c["units"] != units for c in comps):
            raise ReportError("runs report '{}' in different units: cannot be merged".format(cid))
        label = comps[0]["label"]
        components.append({"id": cid, "label": label, "units": units})
        order, merged = [], {}
        for k, c in enumerate(comps):
            for n in c["nodes"]:
                m = merged.get(n.path)
                if m is None:
                    m = merged[n.path] = {"node": n, "count": 0, "total": 0.0, "self": 0.0,
                                          "min": math.inf, "max": -math.inf,
                                          "per_run": [0.0] * len(comps)}
                    order.append(n.path)
                m["count"] += n.count
                m["total"] += n.total
                m["self"] += n.self
                m["min"] = min(m["min"], n.min)
                m["max"] = max(m["max"], n.max)
                m["per_run"][k] += n.total
        # Pre-order: a path's parent comes first (it was seen first in some run); siblings
        # in order of first appearance.
        children = {}
        for p in order:
            children.setdefault(p[:-1], []).append(p)
        records, index = [], {}

        def visit(p, parent):
            m = merged[p]
            n = m["node"]
            index[p] = len(records)
            per_run = m["per_run"]
            mean_run = sum(per_run) / len(per_run)
            stats = {"sum": m["total"], "mean": m["total"] / m["count"] if m["count"] else 0.0,
                     "min": m["min"] if m["count"] else 0.0,
                     "max": m["max"] if m["count"] else 0.0, "stddev": None}
            records.append({
                "prefix": n.name, "name": n.name, "file": n.file, "line": n.line,
                "language": n.language, "depth": len(p) - 1, "tid": 0, "parent": parent,
                "inclusive": {"entry": {"laps": m["count"], "value": m["total"]}, "stats": stats},
                "exclusive": {"entry": {"laps": m["count"], "value": m["self"]},
                              "stats": dict(stats, sum=m["self"], min=None, max=None,
                                            mean=m["self"] / m["count"] if m["count"] else 0)},
                "runs": {"count": len(per_run), "mean": mean_run, "min": min(per_run),
                         "max": max(per_run)}})
            return index[p]

        stack = [(p, -1) for p in reversed(children.get((), []))]
        tree_children = {}
        while stack:
            p, parent = stack.pop()
            i = visit(p, parent)
            tree_children.setdefault(parent, []).append(i)
            stack += [(c, i) for c in reversed(children.get(p, []))]
        header = {"type": label, "id": cid, "unit_repr": units, "merged_runs": len(runs)}
        with open(os.path.join(out, label + ".json"), "w") as f:
            json.dump({"timemory": {cid: dict(header, ranks=[{"rank": 0,
                                                                "graph_size": len(records),
                                                                "graph": records}])}}, f)
        with open(os.path.join(out, label + ".tree.json"), "w") as f:
            json.dump({"timemory": {cid: dict(header, graph=[[_tree(records, tree_children)]])}},
                      f)
    meta = dict(runs[0].metadata)
    meta.update({"components": components, "merged_from": [r.path for r in runs]})
    meta.pop("node_count", None)
    with open(os.path.join(out, "metadata.json"), "w") as f:
        json.dump({"timemory": meta}, f)
    return out


def _tree(records, kids):
    """Hatchet's nested layout: a root (hash 0) holding the top-level nodes, by an explicit
    stack (any depth)."""
    def node(r):
        return {"hash": 1, "prefix": "{} [{}/{}:{}]".format(
                    r["name"], r["language"] or "region",
                    os.path.basename(r["file"] or "") or "<unknown>", r["line"]),
                "name": r["name"], "linkage": r["name"], "file": r["file"], "line": r["line"],
                "tid": 0, "pid": 0, "depth": r["depth"],
                "inclusive": {"entry": r["inclusive"]["entry"],
                              "stats": {k: v for k, v in r["inclusive"]["stats"].items()
                                        if v is not None}},
                "exclusive": {"entry": r["exclusive"]["entry"],
                              "stats": {k: v for k, v in r["exclusive"]["stats"].items()
                                        if v is not None}}}
    root = {"node": {"hash": 0, "prefix": "root", "depth": -1, "tid": 0, "pid": 0},
            "children": []}
    stack = [(root, -1)]
    while stack:
        holder, i = stack.pop()
        for k in kids.get(i, []):
            item = {"node": node(records[k]), "children": []}
            holder["children"].append(item)
            stack.append((item, k))
    return root
