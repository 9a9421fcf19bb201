// <label>.json (flat records), <label>.tree.json (nested, for Hatchet) and
// <label>.flamegraph.json (Chrome trace events).
#include <errno.h> // program_invocation_short_name

#include <cmath>
#include <map>

#include "components/component.hpp"
#include "core/text.hpp"
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
        // The parent's index in this list (-1: top level): the tree in constant space per
        // node, whatever the depth (a path per node grew with depth squared), and readable
        // by any JSON parser at any depth (the nested tree.json is not, past ~1000 levels).
        rec["parent"] = n.parent;
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

namespace {

// The dummy root (hash 0) of a rank's tree: Hatchet passes through it.
json_t root_node_json(const result& r, const report_unit& u, int rank) {
    std::vector<stats> zero(r.components.size());
    return {{"hash", 0},
            {"prefix", "root"},
            {"depth", -1},
            {"tid", 0},
            {"pid", 0},
            {"rank", rank},
            {"inclusive", {{"entry", {{"laps", 0}}}, {"stats", unit_stats_json(r, zero, u)}}},
            {"exclusive", {{"entry", {{"laps", 0}}}, {"stats", unit_stats_json(r, zero, u)}}}};
}

std::string compact(const json_t& j) {
    return j.dump(-1, ' ', false, json_t::error_handler_t::replace);
}

// Appends one rank's nested tree, {"node": root, "children": [...]}, written with an
// explicit stack: a graph of any depth (100 000 nested calls) costs no recursion, in
// building or in writing, and no document held in memory besides the text.
void append_tree(std::string& out, const result& r, const report_unit& u, int rank) {
    std::vector<size_t> top;
    for (size_t i = 0; i < r.nodes.size(); ++i)
        if (r.nodes[i].parent < 0) top.push_back(i);
    out += "{\"node\":" + compact(root_node_json(r, u, rank)) + ",\"children\":[";
    struct level {
        const std::vector<size_t>* kids;
        size_t next;
    };
    std::vector<level> stack{{&top, 0}};
    while (!stack.empty()) {
        level& l = stack.back();
        if (l.next == l.kids->size()) {
            out += "]}";
            stack.pop_back();
            continue;
        }
        const size_t i = (*l.kids)[l.next];
        if (l.next++ > 0) out += ',';
        out += "{\"node\":" + compact(node_json(r, r.nodes[i], u, rank)) + ",\"children\":[";
        stack.push_back({&r.nodes[i].children, 0});
    }
}

bool has_threads(const result& r) {
    for (const result_node& n : r.nodes)
        if (n.tid != 0) return true;
    return false;
}

// The header of `r`'s tree file with `layout` ("graph" or "mpi") replaced by `graph`.
std::string splice(const result& r, const report_unit& u, const char* layout,
                   const std::string& graph, size_t mpi_size) {
    json_t body = component_header(r, u);
    const std::string mark = R"(\u0001graph\u0001)";
    body[layout] = "\x01graph\x01";
    if (mpi_size) body["mpi_size"] = mpi_size;
    std::string head = compact(wrap(u.key(r), std::move(body)));
    const size_t at = head.find("\"" + mark + "\"");
    return head.substr(0, at) + graph + head.substr(at + mark.size() + 2);
}

} // namespace

std::string tree_json_text(const result& r, const report_unit& u, int rank) {
    // One list per rank holding its root, in either layout: [[root]].
    std::string graph = "[[";
    append_tree(graph, r, u, rank);
    graph += "]]";
    const bool threads = has_threads(r);
    return splice(r, u, threads ? "mpi" : "graph", graph, threads ? 1 : 0);
}

std::string tree_json_ranks_text(const std::vector<result>& ranks, const report_unit& u) {
    std::string graph = "[";
    for (size_t k = 0; k < ranks.size(); ++k) {
        graph += k ? ",[" : "[";
        append_tree(graph, ranks[k], u, int(k));
        graph += ']';
    }
    graph += "]";
    return splice(ranks.at(0), u, "mpi", graph, ranks.size());
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

std::string folded_text(const result& r, const report_unit& u) {
    constexpr size_t max_frames = 1000;
    const component_info& c = r.components[u.first];
    // The stacks of the current path only, by depth (pre-order: a node's parent is the
    // last node seen one level up); nodes past the frame limit share "[deeper]".
    std::vector<std::string> path;
    std::map<std::string, int64_t> deeper; // the truncated stacks' summed weights
    std::string out;
    for (const result_node& nd : r.nodes) {
        const size_t d = size_t(std::max(0, nd.depth));
        const double self = nd.exclusive[u.first].sum * c.unit_value / 1e3;
        const int64_t us = std::isfinite(self) ? std::llround(std::max(0.0, self)) : 0;
        if (d + 1 >= max_frames) {
            if (path.size() < max_frames) path.resize(max_frames);
            if (d + 1 == max_frames) path[d] = path[d - 1] + ";[deeper]";
            deeper[path[max_frames - 1]] += us;
            continue;
        }
        std::string name = printable(nd.name);
        for (char& ch : name)
            if (ch == ';') ch = ':';
        if (path.size() < d + 1) path.resize(d + 1);
        path[d] = d == 0 ? name : path[d - 1] + ";" + name;
        if (us > 0) out += path[d] + " " + std::to_string(us) + "\n";
    }
    for (const auto& [stack, us] : deeper)
        if (us > 0) out += stack + " " + std::to_string(us) + "\n";
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
