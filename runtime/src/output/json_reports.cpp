// <label>.json (flat records) and <label>.tree.json (nested, for Hatchet).
#include <cmath>

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

json_t flamegraph_json(const result& r, const report_unit& u, bool timeline) {
    const size_t comp = u.first; // widths: the first value of a group; args carry all
    json_t events = json_t::array();
    std::vector<double> start(r.nodes.size(), 0), cursor(r.nodes.size(), 0);
    double top_cursor = 0;
    for (size_t i = 0; i < r.nodes.size(); ++i) {
        const result_node& n = r.nodes[i];
        // Trace viewers read "dur" as microseconds: time values are converted; other
        // components keep their display values so widths stay proportional.
        const component_info& c = r.components[comp];
        double dur = n.inclusive[comp].sum;
        if (c.kind == "time") dur = dur * c.unit_value / 1e3;
        if (timeline) {
            start[i] = n.start_ns / 1e3;
        } else if (n.parent < 0) {
            start[i] = std::max(top_cursor, n.start_ns / 1e3);
            top_cursor = start[i] + dur;
        } else {
            size_t p = size_t(n.parent);
            start[i] = std::max(start[p], cursor[p]);
            cursor[p] = start[i] + dur;
        }
        cursor[i] = start[i];
        json_t args = {{"count", n.count}, {"depth", n.depth}, {"file", n.file}, {"line", n.line}};
        if (u.grouped(r))
            for (size_t k = u.first; k < u.first + u.count; ++k)
                args[r.components[k].label] = n.inclusive[k].sum;
        events.push_back({{"name", n.name},
                          {"cat", u.grouped(r) ? c.group : c.label},
                          {"ph", "X"},
                          {"ts", start[i]},
                          {"dur", dur},
                          {"pid", n.pid},
                          {"tid", n.tid},
                          {"args", std::move(args)}});
    }
    return {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
}

} // namespace timemory::rt
