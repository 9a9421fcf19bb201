"""Checks a Chrome trace (<label>.flamegraph.json) the way strict importers read it
(Perfetto's JSON importer, Chrome DevTools, speedscope): complete events with integer
times, every track named, and on every track events that nest or follow each other, never
overlap partly. The Python twin of trace_check.hpp, for the Python and MPI tests."""


def complete_events(trace):
    return [e for e in trace["traceEvents"] if e.get("ph") == "X"]


def problems(trace):
    """Every violation; an empty list for a valid trace."""
    if not isinstance(trace.get("traceEvents"), list):
        return ["no traceEvents array"]
    out, threads, processes, tracks = [], set(), set(), {}
    for e in trace["traceEvents"]:
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
        if not (isinstance(e["ts"], int) and isinstance(e["dur"], int)):
            out.append("non-integer time in {}".format(e))
            continue
        if "args" in e:
            out.append("args would become part of the frame name: {}".format(e))
        if e["dur"] < 0:
            out.append("negative duration: {}".format(e))
        tracks.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"]))
    for track, events in tracks.items():
        where = "pid {} tid {}".format(*track)
        if track not in threads:
            out.append("no thread_name for " + where)
        if track[0] not in processes:
            out.append("no process_name for " + where)
        events.sort(key=lambda ev: (ev[0], -ev[1]))  # a parent before its children
        open_ = []
        for begin, end in events:
            while open_ and open_[-1][1] <= begin and end > begin:
                open_.pop()
            while open_ and open_[-1][1] < begin:
                open_.pop()
            if open_ and end > open_[-1][1]:
                out.append("partial overlap on {}: [{}, {}) against [{}, {})".format(
                    where, begin, end, *open_[-1]))
            open_.append((begin, end))
    return out
