// <label>.json (flat records), <label>.tree.json (nested, for Hatchet) and
// <label>.flamegraph.json (Chrome trace events).
#include <errno.h> // program_invocation_short_name

#include <cmath>
#include <map>

#include "components/component.hpp"
#include "output/formats.hpp"

namespace timemory::rt {

namespace {

json_t number_or_null(double x) {
    return std::isnan(x) ? json_t(nullptr) : json_t(x);
}

const char* language_name(int lang) {
    switch (lang) {
    case 1:
        return "c";
    case 2:
        return "c++";
    case 3:
        return "python";
    case 4:
        return "region";
    default:
        return "unknown";
    }
}

json_t wrap(const std::string& id, json_t body) {
    json_t inner = json_t::object();
    inner[id] = std::move(body);
    json_t out = json_t::object();
    out["timemory"] = std::move(inner);
    return out;
}

// A group's header lists its values: Hatchet reads a "type" list as one metric per value.
json_t component_header(const result& r, const report_unit& u) {
    const component_info& c = r.components[u.first];
    if (!u.grouped(r))
        return {{"type", c.label},
                {"id", c.id},
                {"description", c.description},
                {"unit_value", c.unit_value},
                {"unit_repr", c.units}};
    json_t type = json_t::array(), values = json_t::array(), reprs = json_t::array(),
           descriptions = json_t::array();
    for (size_t k = u.first; k < u.first + u.count; ++k) {
        type.push_back(r.components[k].label);
        values.push_back(r.components[k].unit_value);
        reprs.push_back(r.components[k].units);
        descriptions.push_back(r.components[k].description);
    }
    return {{"type", std::move(type)},
            {"id", c.group},
            {"description", unit_description(r, u)},
            {"unit_value", std::move(values)},
            {"unit_repr", std::move(reprs)},
            {"value_descriptions", std::move(descriptions)}};
}

// One stats object for a unit: plain numbers for one component; for a group each
// statistic is an object keyed by value name, in value order (Hatchet's layout).
json_t unit_stats_json(const result& r, const std::vector<stats>& s, const report_unit& u) {
    if (!u.grouped(r)) return stats_json(s[u.first]);
    json_t out = json_t::object();
    for (const char* key : {"sum", "mean", "min", "max", "stddev"})
        out[key] = json_t::object();
    for (size_t k = u.first; k < u.first + u.count; ++k) {
        const std::string& name = r.components[k].label;
        out["sum"][name] = number_or_null(s[k].sum);
        out["mean"][name] = number_or_null(s[k].mean);
        out["min"][name] = number_or_null(s[k].min);
        out["max"][name] = number_or_null(s[k].max);
        out["stddev"][name] = number_or_null(s[k].stddev);
    }
    return out;
}

// Built field by field, moving each part in: nested initializer lists would deep-copy
// every level (tens of thousands of instructions per node on large graphs).
json_t entry_json(const result& r, uint64_t laps, const std::vector<stats>& s,
                  const report_unit& u) {
    json_t entry = json_t::object();
    entry["laps"] = laps;
    if (u.grouped(r)) {
        json_t value = json_t::array();
        for (size_t k = u.first; k < u.first + u.count; ++k)
            value.push_back(number_or_null(s[k].sum));
        entry["value"] = std::move(value);
    } else {
        entry["value"] = number_or_null(s[u.first].sum);
    }
    json_t out = json_t::object();
    out["entry"] = std::move(entry);
    out["stats"] = unit_stats_json(r, s, u);
    return out;
}

json_t node_json(const result& r, const result_node& n, const report_unit& u, int rank) {
    json_t j = json_t::object();
    j["hash"] = n.hash;
    j["rolling_hash"] = n.rolling_hash;
    j["prefix"] = n.name;
    j["name"] = n.name;
    j["linkage"] = n.linkage;
    j["file"] = n.file;
    j["line"] = n.line;
    j["language"] = language_name(n.language);
    j["throttled"] = n.throttled;
    j["depth"] = n.depth;
    j["tid"] = n.tid;
    j["threads"] = n.threads;
    j["pid"] = n.pid;
    j["rank"] = rank;
    j["start_ns"] = n.start_ns;
    j["ranks"] = n.ranks;
    if (n.untimed > 0) {
        // Calls of a throttled function that were counted, not timed: the part of the
        // inclusive values estimated from the timed calls.
        j["untimed"] = n.untimed;
        if (u.grouped(r)) {
            json_t est = json_t::object();
            for (size_t k = u.first; k < u.first + u.count && k < n.estimated.size(); ++k)
                est[r.components[k].label] = number_or_null(n.estimated[k]);
            j["estimated"] = std::move(est);
        } else if (u.first < n.estimated.size()) {
            j["estimated"] = number_or_null(n.estimated[u.first]);
        }
    }
    j["inclusive"] = entry_json(r, n.count, n.inclusive, u);
    j["exclusive"] = entry_json(r, n.count, n.exclusive, u);
    return j;
}

} // namespace

std::string report_unit::stem(const result& r) const {
    return grouped(r) ? r.components[first].group : r.components[first].label;
}

std::string report_unit::key(const result& r) const {
    return grouped(r) ? r.components[first].group : r.components[first].id;
}

std::string unit_description(const result& r, const report_unit& u) {
    const component_info& c = r.components[u.first];
    if (!u.grouped(r)) return c.description;
    int idx = find_component(c.group);
    return idx >= 0 ? catalog()[size_t(idx)].description : c.group;
}

std::vector<report_unit> report_units(const result& r) {
    std::vector<report_unit> out;
    for (size_t c = 0; c < r.components.size(); ++c) {
        const std::string& g = r.components[c].group;
        if (!g.empty() && !out.empty() && r.components[out.back().first].group == g)
            out.back().count += 1;
        else
            out.push_back(report_unit(c, 1));
    }
    return out;
}

json_t stats_json(const stats& s) {
    json_t j = json_t::object();
    j["sum"] = number_or_null(s.sum);
    j["mean"] = number_or_null(s.mean);
    j["min"] = number_or_null(s.min);
    j["max"] = number_or_null(s.max);
    j["stddev"] = number_or_null(s.stddev);
    return j;
}

json_t flat_json(const result& r, const report_unit& u, int rank) {
    json_t records = json_t::array();
    for (const auto& n : r.nodes) {
        json_t rec = node_json(r, n, u, rank);
        // A combined graph of several ranks: the node's SUM on each rank, over ranks.
        if (u.first + u.count <= n.per_rank.size())
            rec["per_rank"] = unit_stats_json(r, n.per_rank, u);
        // hierarchy: the rolling hashes from the top-level ancestor down to this node.
        json_t hierarchy = json_t::array();
        std::vector<uint64_t> path;
        for (int64_t p = &n - r.nodes.data(); p >= 0; p = r.nodes[size_t(p)].parent)
            path.push_back(r.nodes[size_t(p)].rolling_hash);
        for (auto it = path.rbegin(); it != path.rend(); ++it)
            hierarchy.push_back(*it);
        rec["hierarchy"] = std::move(hierarchy);
        records.push_back(std::move(rec));
    }
    json_t body = component_header(r, u);
    json_t entry = json_t::object();
    entry["rank"] = rank;
    entry["graph_size"] = r.nodes.size();
    entry["graph"] = std::move(records);
    body["ranks"] = json_t::array();
    body["ranks"].push_back(std::move(entry));
    return wrap(u.key(r), std::move(body));
}

json_t tree_json(const result& r, const report_unit& u, int rank) {
    // Built bottom-up: nodes are in pre-order, so every child comes after its parent.
    std::vector<json_t> built(r.nodes.size());
    for (size_t i = r.nodes.size(); i-- > 0;) {
        json_t kids = json_t::array();
        for (size_t k : r.nodes[i].children)
            kids.push_back(std::move(built[k]));
        json_t item = json_t::object();
        item["node"] = node_json(r, r.nodes[i], u, rank);
        item["children"] = std::move(kids);
        built[i] = std::move(item);
    }
    // A dummy root (hash 0) holds the top-level nodes; Hatchet passes through it.
    json_t top = json_t::array();
    for (size_t i = 0; i < r.nodes.size(); ++i)
        if (r.nodes[i].parent < 0) top.push_back(std::move(built[i]));
    std::vector<stats> zero(r.components.size());
    json_t root_node = {
        {"hash", 0},
        {"prefix", "root"},
        {"depth", -1},
        {"tid", 0},
        {"pid", 0},
        {"rank", rank},
        {"inclusive", {{"entry", {{"laps", 0}}}, {"stats", unit_stats_json(r, zero, u)}}},
        {"exclusive", {{"entry", {{"laps", 0}}}, {"stats", unit_stats_json(r, zero, u)}}}};
    json_t body = component_header(r, u);
    json_t root = json_t::object();
    root["node"] = std::move(root_node);
    root["children"] = std::move(top);
    json_t rank_graphs = json_t::array();
    rank_graphs.push_back(std::move(root));
    body["graph"] = json_t::array();
    body["graph"].push_back(std::move(rank_graphs));
    return wrap(u.key(r), std::move(body));
}

json_t tree_json_file(const result& r, const report_unit& u, int rank) {
    json_t out = tree_json(r, u, rank);
    bool threads = false;
    for (const result_node& n : r.nodes)
        threads = threads || n.tid != 0;
    if (!threads) return out;
    // Hatchet's reader indexes rows by thread only with a rank column, which it makes for
    // the "mpi" layout alone (with "graph" and a thread other than 0 it fails on the
    // missing column): one process with several threads is written as one rank.
    auto& body = out["timemory"][u.key(r)];
    body["mpi"] = json_t::array();
    body["mpi"].push_back(std::move(body["graph"][0]));
    body["mpi_size"] = 1;
    body.erase("graph");
    return out;
}

json_t flat_json_ranks(const std::vector<result>& ranks, const report_unit& u) {
    json_t out = flat_json(ranks.at(0), u, 0);
    const std::string key = u.key(ranks[0]);
    auto& body = out["timemory"][key];
    for (size_t r = 1; r < ranks.size(); ++r) {
        json_t one = flat_json(ranks[r], u, int(r));
        body["ranks"].push_back(std::move(one["timemory"][key]["ranks"][0]));
    }
    body["mpi_size"] = ranks.size();
    return out;
}

json_t tree_json_ranks(const std::vector<result>& ranks, const report_unit& u) {
    json_t out = tree_json(ranks.at(0), u, 0);
    const std::string key = u.key(ranks[0]);
    auto& body = out["timemory"][key];
    json_t mpi = json_t::array();
    for (size_t r = 0; r < ranks.size(); ++r) {
        json_t one = tree_json(ranks[r], u, int(r));
        mpi.push_back(std::move(one["timemory"][key]["graph"][0]));
    }
    body.erase("graph");
    body["mpi"] = std::move(mpi);
    body["mpi_size"] = ranks.size();
    return out;
}

bool has_flamegraph(const result& r, const report_unit& u) {
    return r.components.at(u.first).kind == "time";
}

json_t flamegraph_json(const result& r, const report_unit& u, bool timeline) {
    const size_t comp = u.first;
    const component_info& c = r.components[comp];
    const size_t n = r.nodes.size();
    // Positions in integer nanoseconds, so that nesting is exact; each end point is then
    // floored to microseconds (the trace format's unit), which keeps every inclusion and
    // every order between end points (no viewer sees a child stick out by 1e-13 µs). A
    // subtree that ran on another thread goes on that thread's track.
    std::vector<int64_t> start(n, 0), end(n, 0), cursor(n, 0);
    std::map<std::pair<int, int64_t>, int64_t> track_end; // (pid, tid) → end of its last top
    for (size_t i = 0; i < n; ++i) {
        const result_node& nd = r.nodes[i];
        const int64_t dur = std::max<int64_t>(0, std::llround(nd.inclusive[comp].sum * c.unit_value));
        const int64_t begin = std::llround(std::max(0.0, nd.start_ns));
        const size_t p = nd.parent < 0 ? n : size_t(nd.parent);
        const bool own_track = p == n || r.nodes[p].tid != nd.tid || r.nodes[p].pid != nd.pid;
        if (own_track) {
            // The top of a thread's work (or of the process's): from where it was started
            // (its real start, or its spawn point's start), after the track's last top.
            int64_t& last = track_end[{nd.pid, nd.tid}];
            start[i] = std::max(last, timeline || p == n ? begin : start[p]);
            end[i] = start[i] + dur;
            last = end[i];
        } else {
            // Inside its parent, after its previous sibling: children end to end from the
            // parent's start, or at their real start (timeline). Clamped to the parent's
            // end: compensated values (TIMEMORY_COMPENSATE) can make children's sum, or a
            // child's real end, pass the parent's by a few nanoseconds.
            start[i] = std::max({start[p], cursor[p], timeline ? begin : int64_t(0)});
            start[i] = std::min(start[i], end[p]);
            end[i] = std::min(start[i] + dur, end[p]);
            cursor[p] = end[i];
        }
        cursor[i] = start[i];
    }
    json_t events = json_t::array();
    // Names of the process(es) and of every thread track, as viewers show them.
    std::map<int, int> ranks; // pid → rank
    std::map<std::pair<int, int64_t>, bool> tracks;
    for (const result_node& nd : r.nodes) {
        ranks.emplace(nd.pid, nd.rank);
        tracks.emplace(std::make_pair(nd.pid, nd.tid), true);
    }
    for (const auto& [pid, rank] : ranks) {
        std::string name = program_invocation_short_name;
        if (ranks.size() > 1) name += " (rank " + std::to_string(rank) + ")";
        events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", pid}, {"tid", 0},
                          {"args", {{"name", name}}}});
    }
    for (const auto& [track, unused] : tracks)
        events.push_back({{"name", "thread_name"},
                          {"ph", "M"},
                          {"pid", track.first},
                          {"tid", track.second},
                          {"args",
                           {{"name", track.second == 0 ? std::string("main thread")
                                                       : "thread " + std::to_string(track.second)}}}});
    // Frames carry no args: viewers that fold args into the frame's name (speedscope) would
    // never merge two calls of one function; counts, files and values are in <label>.json.
    const std::string cat = u.grouped(r) ? c.group : c.label;
    for (size_t i = 0; i < n; ++i) {
        const result_node& nd = r.nodes[i];
        const int64_t ts = start[i] / 1000;
        events.push_back({{"name", nd.name},
                          {"cat", cat},
                          {"ph", "X"},
                          {"ts", ts},
                          {"dur", end[i] / 1000 - ts},
                          {"pid", nd.pid},
                          {"tid", nd.tid}});
    }
    return {{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"}};
}

} // namespace timemory::rt
