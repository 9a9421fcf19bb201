// Checks a Chrome trace (<label>.flamegraph.json) the way strict importers read it
// (Perfetto's JSON importer, Chrome DevTools, speedscope): complete events with integer
// times, every track named, and on every track events that nest or follow each other,
// never overlap partly (a child that sticks out of its parent is dropped or mis-drawn).
#pragma once

#include <algorithm>
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

/// Every violation, one per line; "" for a valid trace.
inline std::string problems(const nlohmann::json& trace) {
    std::string out;
    auto bad = [&out](const std::string& s) { out += s + "\n"; };
    if (!trace.contains("traceEvents") || !trace["traceEvents"].is_array())
        return "no traceEvents array\n";
    std::set<std::pair<long, long>> named_threads;
    std::set<long> named_processes;
    std::map<std::pair<long, long>, std::vector<std::pair<long, long>>> tracks;
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
        if (!e["ts"].is_number_integer() || !e["dur"].is_number_integer()) {
            bad("non-integer time in " + e.dump());
            continue;
        }
        if (e.contains("args")) bad("args would become part of the frame name: " + e.dump());
        const long ts = e["ts"], dur = e["dur"];
        if (dur < 0) bad("negative duration: " + e.dump());
        tracks[{e["pid"].get<long>(), e["tid"].get<long>()}].push_back({ts, ts + dur});
    }
    for (auto& [track, evs] : tracks) {
        const std::string where =
            "pid " + std::to_string(track.first) + " tid " + std::to_string(track.second);
        if (!named_threads.count(track)) bad("no thread_name for " + where);
        if (!named_processes.count(track.first)) bad("no process_name for " + where);
        // Longest first among equal starts: a parent before its children.
        std::sort(evs.begin(), evs.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first < b.first : a.second > b.second;
        });
        std::vector<std::pair<long, long>> open;
        for (const auto& ev : evs) {
            while (!open.empty() && open.back().second <= ev.first && ev.second > ev.first)
                open.pop_back();
            while (!open.empty() && open.back().second < ev.first)
                open.pop_back();
            if (!open.empty() && ev.second > open.back().second)
                bad("partial overlap on " + where + ": [" + std::to_string(ev.first) + ", " +
                    std::to_string(ev.second) + ") against [" +
                    std::to_string(open.back().first) + ", " +
                    std::to_string(open.back().second) + ")");
            open.push_back(ev);
        }
    }
    return out;
}

} // namespace trace_check
