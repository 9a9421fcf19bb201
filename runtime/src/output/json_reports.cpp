// <label>.json (flat records) and <label>.tree.json (nested, for Hatchet).
#include <cmath>

#include "output/formats.hpp"

namespace timemory::rt {

namespace {

nlohmann::json number_or_null(double x) {
    return std::isnan(x) ? nlohmann::json(nullptr) : nlohmann::json(x);
}

const char* language_name(int lang) {
    switch (lang) {
    case 1: return "c";
    case 2: return "c++";
    case 3: return "python";
    case 4: return "region";
    default: return "unknown";
    }
}

nlohmann::json component_header(const component_info& c) {
    return {{"type", c.label},        {"id", c.id},
            {"description", c.description}, {"unit_value", c.unit_value},
            {"unit_repr", c.units}};
}

nlohmann::json node_json(const result_node& n, size_t comp, int rank) {
    return {{"hash", n.hash},
            {"rolling_hash", n.rolling_hash},
            {"prefix", n.name},
            {"name", n.name},
            {"linkage", n.linkage},
            {"file", n.file},
            {"line", n.line},
            {"language", language_name(n.language)},
            {"throttled", n.throttled},
            {"depth", n.depth},
            {"tid", n.tid},
            {"pid", n.pid},
            {"rank", rank},
            {"start_ns", n.start_ns},
            {"ranks", n.ranks},
            {"inclusive",
             {{"entry", {{"laps", n.count}, {"value", n.inclusive[comp].sum}}},
              {"stats", stats_json(n.inclusive[comp])}}},
            {"exclusive",
             {{"entry", {{"laps", n.count}, {"value", n.exclusive[comp].sum}}},
              {"stats", stats_json(n.exclusive[comp])}}}};
}

} // namespace

nlohmann::json stats_json(const stats& s) {
    return {{"sum", number_or_null(s.sum)},
            {"mean", number_or_null(s.mean)},
            {"min", number_or_null(s.min)},
            {"max", number_or_null(s.max)},
            {"stddev", number_or_null(s.stddev)}};
}

nlohmann::json flat_json(const result& r, size_t comp, int rank) {
    nlohmann::json records = nlohmann::json::array();
    for (const auto& n : r.nodes) {
        nlohmann::json rec = node_json(n, comp, rank);
        // A combined graph of several ranks: the node's SUM on each rank, over ranks.
        if (comp < n.per_rank.size()) rec["per_rank"] = stats_json(n.per_rank[comp]);
        // hierarchy: the rolling hashes from the top-level ancestor down to this node.
        nlohmann::json hierarchy = nlohmann::json::array();
        std::vector<uint64_t> path;
        for (int64_t p = &n - r.nodes.data(); p >= 0; p = r.nodes[size_t(p)].parent)
            path.push_back(r.nodes[size_t(p)].rolling_hash);
        for (auto it = path.rbegin(); it != path.rend(); ++it) hierarchy.push_back(*it);
        rec["hierarchy"] = hierarchy;
        records.push_back(std::move(rec));
    }
    nlohmann::json body = component_header(r.components[comp]);
    body["ranks"] = nlohmann::json::array(
        {{{"rank", rank}, {"graph_size", r.nodes.size()}, {"graph", records}}});
    return {{"timemory", {{r.components[comp].id, body}}}};
}

nlohmann::json tree_json(const result& r, size_t comp, int rank) {
    // Built bottom-up: nodes are in pre-order, so every child comes after its parent.
    std::vector<nlohmann::json> built(r.nodes.size());
    for (size_t i = r.nodes.size(); i-- > 0;) {
        nlohmann::json kids = nlohmann::json::array();
        for (size_t k : r.nodes[i].children) kids.push_back(std::move(built[k]));
        built[i] = {{"node", node_json(r.nodes[i], comp, rank)}, {"children", std::move(kids)}};
    }
    // A dummy root (hash 0) holds the top-level nodes; Hatchet passes through it.
    nlohmann::json top = nlohmann::json::array();
    for (size_t i = 0; i < r.nodes.size(); ++i)
        if (r.nodes[i].parent < 0) top.push_back(std::move(built[i]));
    stats zero;
    nlohmann::json root_node = {
        {"hash", 0},  {"prefix", "root"}, {"depth", -1}, {"tid", 0}, {"pid", 0}, {"rank", rank},
        {"inclusive", {{"entry", {{"laps", 0}}}, {"stats", stats_json(zero)}}},
        {"exclusive", {{"entry", {{"laps", 0}}}, {"stats", stats_json(zero)}}}};
    nlohmann::json body = component_header(r.components[comp]);
    body["graph"] = nlohmann::json::array(
        {nlohmann::json::array({{{"node", root_node}, {"children", std::move(top)}}})});
    return {{"timemory", {{r.components[comp].id, body}}}};
}

nlohmann::json flat_json_ranks(const std::vector<result>& ranks, size_t comp) {
    nlohmann::json out = flat_json(ranks.at(0), comp, 0);
    auto& body = out["timemory"][ranks[0].components[comp].id];
    for (size_t r = 1; r < ranks.size(); ++r)
        body["ranks"].push_back(
            flat_json(ranks[r], comp, int(r))["timemory"][ranks[r].components[comp].id]["ranks"][0]);
    body["mpi_size"] = ranks.size();
    return out;
}

nlohmann::json tree_json_ranks(const std::vector<result>& ranks, size_t comp) {
    nlohmann::json out = tree_json(ranks.at(0), comp, 0);
    auto& body = out["timemory"][ranks[0].components[comp].id];
    nlohmann::json mpi = nlohmann::json::array();
    for (size_t r = 0; r < ranks.size(); ++r)
        mpi.push_back(tree_json(ranks[r], comp, int(r))["timemory"][ranks[r].components[comp].id]
                          ["graph"][0]);
    body.erase("graph");
    body["mpi"] = std::move(mpi);
    body["mpi_size"] = ranks.size();
    return out;
}

nlohmann::json flamegraph_json(const result& r, size_t comp, bool timeline) {
    nlohmann::json events = nlohmann::json::array();
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
        events.push_back({{"name", n.name},
                          {"cat", c.label},
                          {"ph", "X"},
                          {"ts", start[i]},
                          {"dur", dur},
                          {"pid", n.pid},
                          {"tid", n.tid},
                          {"args", {{"count", n.count}, {"depth", n.depth}, {"file", n.file},
                                    {"line", n.line}}}});
    }
    return {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
}

} // namespace timemory::rt
