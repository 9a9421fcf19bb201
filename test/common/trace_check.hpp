// Checks a Chrome trace (<label>.flamegraph.json) the way strict importers read it
// (Perfetto's JSON importer, Chrome DevTools, speedscope):
// - complete events whose times are multiples of 1/8 µs: whole nanoseconds (Perfetto's
//   integer time) and exact in binary floating point (a viewer's sums of them are exact);
// - no event of zero length (speedscope orders one before its parent and nests what
//   follows under it);
// - every track (pid, tid) named by process_name/thread_name metadata;
// - on every track, events that nest or follow each other, never overlap partly, and
//   among events that start together the enclosing one first in the file (importers that
//   sort by start time keep the file's order for ties);
// - no event outside the run: where the file says how long the run was (otherData.run_us,
//   a process's own trace), every event lies within [0, run_us] (a thread never runs
//   longer than the program);
// - Perfetto's reading of the rest: integer pid and tid, metadata events with a string
//   args.name, and no "displayTimeUnit": "ns" (Perfetto then reads every time as
//   nanoseconds, where the format's unit is the microsecond).
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace trace_check {

/// The X events of `trace`.
inline std::vector<nlohmann::json> complete_events(const nlohmann::json& trace) {
    std::vector<nlohmann::json> out;
    for (const auto& e : trace["traceEvents"])
        if (e["ph"] == "X") out.push_back(e);
    return out;
}

/// A time in eighths of a microsecond; false when it is not a whole number of them.
inline bool eighths(const nlohmann::json& t, long& out) {
    if (!t.is_number()) return false;
    const double x = t.get<double>() * 8;
    out = std::lround(x);
    return x == double(out);
}

/// Every violation, one per line; "" for a valid trace.
inline std::string problems(const nlohmann::json& trace) {
    std::string out;
    auto bad = [&out](const std::string& s) { out += s + "\n"; };
    if (!trace.contains("traceEvents") || !trace["traceEvents"].is_array())
        return "no traceEvents array\n";
    if (trace.contains("displayTimeUnit") && trace["displayTimeUnit"] == "ns")
        bad("displayTimeUnit \"ns\": Perfetto would read the microseconds as nanoseconds");
    std::set<std::pair<long, long>> named_threads;
    std::set<long> named_processes;
    struct event {
        long begin, end;
        size_t order; // position in the file
    };
    std::map<std::pair<long, long>, std::vector<event>> tracks;
    size_t order = 0;
    for (const auto& e : trace["traceEvents"]) {
        const std::string ph = e.value("ph", "");
        if (!e.contains("pid") || !e["pid"].is_number_integer() || !e.contains("tid") ||
            !e["tid"].is_number_integer()) {
            bad("pid or tid not an integer: " + e.dump());
            continue;
        }
        if (ph == "M") {
            if (!e.contains("args") || !e["args"].contains("name") ||
                !e["args"]["name"].is_string())
                bad("metadata without a name: " + e.dump());
            if (e["name"] == "thread_name")
                named_threads.insert({e["pid"].get<long>(), e["tid"].get<long>()});
            if (e["name"] == "process_name") named_processes.insert(e["pid"].get<long>());
            continue;
        }
        if (ph != "X") {
            bad("unexpected event phase '" + ph + "'");
            continue;
        }
        long ts = 0, dur = 0;
        if (!eighths(e["ts"], ts) || !eighths(e["dur"], dur)) {
            bad("time not a multiple of 1/8 us in " + e.dump());
            continue;
        }
        if (e.contains("args")) bad("args would become part of the frame name: " + e.dump());
        if (dur <= 0) bad("zero or negative duration: " + e.dump());
        tracks[{e["pid"].get<long>(), e["tid"].get<long>()}].push_back({ts, ts + dur, order++});
    }
    long run = -1; // the run's length in eighths of a µs, where the file says it
    if (trace.contains("otherData") && trace["otherData"].contains("run_us") &&
        !eighths(trace["otherData"]["run_us"], run))
        bad("otherData.run_us not a multiple of 1/8 us");
    for (auto& [track, evs] : tracks) {
        const std::string where =
            "pid " + std::to_string(track.first) + " tid " + std::to_string(track.second);
        if (!named_threads.count(track)) bad("no thread_name for " + where);
        if (!named_processes.count(track.first)) bad("no process_name for " + where);
        // Longest first among equal starts: a parent before its children.
        std::stable_sort(evs.begin(), evs.end(), [](const event& a, const event& b) {
            return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
        });
        std::vector<event> open;
        for (const event& ev : evs) {
            while (!open.empty() && open.back().end <= ev.begin)
                open.pop_back();
            if (!open.empty() && ev.end > open.back().end)
                bad("partial overlap on " + where + ": [" + std::to_string(ev.begin) + ", " +
                    std::to_string(ev.end) + ") against [" + std::to_string(open.back().begin) +
                    ", " + std::to_string(open.back().end) + ") (eighths of a us)");
            else if (!open.empty() && open.back().begin == ev.begin && open.back().order > ev.order)
                bad("on " + where + " an event starting with its parent comes before it");
            open.push_back(ev);
        }
        if (run >= 0)
            for (const event& ev : evs)
                if (ev.begin < 0 || ev.end > run) {
                    bad(where + " runs outside the run: [" + std::to_string(ev.begin) + ", " +
                        std::to_string(ev.end) + ") against [0, " + std::to_string(run) +
                        "] (eighths of a us)");
                    break;
                }
    }
    return out;
}

} // namespace trace_check
