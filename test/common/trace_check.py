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
    for order, e in enumerate(trace["traceEvents"]):
        ph = e.get("ph", "")
        if ph == "M":
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
    main_extent = {}
    for (pid, tid), events in tracks.items():
        if tid == 0 and events:
            main_extent[pid] = (min(b for b, _, _ in events), max(e for _, e, _ in events))
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
        extent = main_extent.get(track[0])
        if extent and track[1] != 0:
            for begin, end, _ in events:
                if begin < extent[0] or end > extent[1]:
                    out.append("{} runs outside its process's main thread: [{}, {}) against {}"
                               .format(where, begin, end, extent))
                    break
    return out
