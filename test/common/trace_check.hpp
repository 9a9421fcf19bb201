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
// - no track running outside its process's main thread (a thread never runs longer than
//   the program).
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
        if (ph == "M") {
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
    std::map<long, std::pair<long, long>> main_extent; // pid → its main thread's span
    for (const auto& [track, evs] : tracks)
        if (track.second == 0 && !evs.empty()) {
            long lo = evs[0].begin, hi = evs[0].end;
            for (const event& ev : evs) {
                lo = std::min(lo, ev.begin);
                hi = std::max(hi, ev.end);
            }
            main_extent[track.first] = {lo, hi};
        }
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
        auto m = main_extent.find(track.first);
        if (m != main_extent.end() && track.second != 0)
            for (const event& ev : evs)
                if (ev.begin < m->second.first || ev.end > m->second.second) {
                    bad(where + " runs outside its process's main thread: [" +
                        std::to_string(ev.begin) + ", " + std::to_string(ev.end) + ") against [" +
                        std::to_string(m->second.first) + ", " + std::to_string(m->second.second) +
                        ")");
                    break;
                }
    }
    return out;
}

} // namespace trace_check
