"""Checks a Chrome trace (<label>.flamegraph.json) the way strict importers read it
(Perfetto's JSON importer, Chrome DevTools, speedscope). The Python twin of
trace_check.hpp (the rules are listed there), for the Python and MPI tests."""


def complete_events(trace):
    return [e for e in trace["traceEvents"] if e.get("ph") == "X"]


def _eighths(t):
    """A time in eighths of a microsecond, or None when it is not a whole number of them."""
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        return None
    x = t * 8
    return int(x) if x == int(x) else None


def problems(trace):
    """Every violation; an empty list for a valid trace."""
    if not isinstance(trace.get("traceEvents"), list):
        return ["no traceEvents array"]
    out, threads, processes, tracks = [], set(), set(), {}
    if trace.get("displayTimeUnit") == "ns":
        out.append('displayTimeUnit "ns": Perfetto would read the microseconds as nanoseconds')
    for order, e in enumerate(trace["traceEvents"]):
        ph = e.get("ph", "")
        if not all(isinstance(e.get(k), int) and not isinstance(e.get(k), bool)
                   for k in ("pid", "tid")):
            out.append("pid or tid not an integer: {}".format(e))
            continue
        if ph == "M":
            if not isinstance(e.get("args", {}).get("name"), str):
                out.append("metadata without a name: {}".format(e))
            if e["name"] == "thread_name":
                threads.add((e["pid"], e["tid"]))
            if e["name"] == "process_name":
                processes.add(e["pid"])
            continue
        if ph != "X":
            out.append("unexpected event phase {!r}".format(ph))
            continue
        ts, dur = _eighths(e["ts"]), _eighths(e["dur"])
        if ts is None or dur is None:
            out.append("time not a multiple of 1/8 us in {}".format(e))
            continue
        if "args" in e:
            out.append("args would become part of the frame name: {}".format(e))
        if dur <= 0:
            out.append("zero or negative duration: {}".format(e))
        tracks.setdefault((e["pid"], e["tid"]), []).append((ts, ts + dur, order))
    run = None  # the run's length in eighths of a µs, where the file says it
    if "run_us" in trace.get("otherData", {}):
        run = _eighths(trace["otherData"]["run_us"])
        if run is None:
            out.append("otherData.run_us not a multiple of 1/8 us")
    for track, events in tracks.items():
        where = "pid {} tid {}".format(*track)
        if track not in threads:
            out.append("no thread_name for " + where)
        if track[0] not in processes:
            out.append("no process_name for " + where)
        events.sort(key=lambda ev: (ev[0], -ev[1]))  # a parent before its children (stable)
        open_ = []
        for begin, end, order in events:
            while open_ and open_[-1][1] <= begin:
                open_.pop()
            if open_ and end > open_[-1][1]:
                out.append("partial overlap on {}: [{}, {}) against [{}, {}) (eighths of a us)"
                           .format(where, begin, end, open_[-1][0], open_[-1][1]))
            elif open_ and open_[-1][0] == begin and open_[-1][2] > order:
                out.append("on {} an event starting with its parent comes before it".format(where))
            open_.append((begin, end, order))
        if run is not None:
            for begin, end, _ in events:
                if begin < 0 or end > run:
                    out.append("{} runs outside the run: [{}, {}) against [0, {}] (eighths of a us)"
                               .format(where, begin, end, run))
                    break
    return out
