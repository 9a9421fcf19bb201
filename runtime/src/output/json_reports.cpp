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

nlohmann::json wrap(const std::string& id, nlohmann::json body) {
    nlohmann::json inner = nlohmann::json::object();
    inner[id] = std::move(body);
    nlohmann::json out = nlohmann::json::object();
    out["timemory"] = std::move(inner);
    return out;
}

nlohmann::json component_header(const component_info& c) {
    return {{"type", c.label},
            {"id", c.id},
            {"description", c.description},
            {"unit_value", c.unit_value},
            {"unit_repr", c.units}};
}

// Built field by field, moving each part in: nested initializer lists would deep-copy
// every level (tens of thousands of instructions per node on large graphs).
nlohmann::json entry_json(uint64_t laps, const stats& s) {
    nlohmann::json entry = nlohmann::json::object();
    entry["laps"] = laps;
    entry["value"] = number_or_null(s.sum);
    nlohmann::json out = nlohmann::json::object();
    out["entry"] = std::move(entry);
    out["stats"] = stats_json(s);
    return out;
}

nlohmann::json node_json(const result_node& n, size_t comp, int rank) {
    nlohmann::json j = nlohmann::json::object();
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
    j["inclusive"] = entry_json(n.count, n.inclusive[comp]);
    j["exclusive"] = entry_json(n.count, n.exclusive[comp]);
    return j;
}

} // namespace

nlohmann::json stats_json(const stats& s) {
    nlohmann::json j = nlohmann::json::object();
    j["sum"] = number_or_null(s.sum);
    j["mean"] = number_or_null(s.mean);
    j["min"] = number_or_null(s.min);
    j["max"] = number_or_null(s.max);
    j["stddev"] = number_or_null(s.stddev);
    return j;
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
        for (auto it = path.rbegin(); it != path.rend(); ++it)
            hierarchy.push_back(*it);
        rec["hierarchy"] = std::move(hierarchy);
        records.push_back(std::move(rec));
    }
    nlohmann::json body = component_header(r.components[comp]);
    nlohmann::json entry = nlohmann::json::object();
    entry["rank"] = rank;
    entry["graph_size"] = r.nodes.size();
    entry["graph"] = std::move(records);
    body["ranks"] = nlohmann::json::array();
    body["ranks"].push_back(std::move(entry));
    return wrap(r.components[comp].id, std::move(body));
}

nlohmann::json tree_json(const result& r, size_t comp, int rank) {
    // Built bottom-up: nodes are in pre-order, so every child comes after its parent.
    std::vector<nlohmann::json> built(r.nodes.size());
    for (size_t i = r.nodes.size(); i-- > 0;) {
        nlohmann::json kids = nlohmann::json::array();
        for (size_t k : r.nodes[i].children)
            kids.push_back(std::move(built[k]));
        nlohmann::json item = nlohmann::json::object();
        item["node"] = node_json(r.nodes[i], comp, rank);
        item["children"] = std::move(kids);
        built[i] = std::move(item);
    }
    // A dummy root (hash 0) holds the top-level nodes; Hatchet passes through it.
    nlohmann::json top = nlohmann::json::array();
    for (size_t i = 0; i < r.nodes.size(); ++i)
        if (r.nodes[i].parent < 0) top.push_back(std::move(built[i]));
    stats zero;
    nlohmann::json root_node = {
        {"hash", 0},
        {"prefix", "root"},
        {"depth", -1},
        {"tid", 0},
        {"pid", 0},
        {"rank", rank},
        {"inclusive", {{"entry", {{"laps", 0}}}, {"stats", stats_json(zero)}}},
        {"exclusive", {{"entry", {{"laps", 0}}}, {"stats", stats_json(zero)}}}};
    nlohmann::json body = component_header(r.components[comp]);
    nlohmann::json root = nlohmann::json::object();
    root["node"] = std::move(root_node);
    root["children"] = std::move(top);
    nlohmann::json rank_graphs = nlohmann::json::array();
    rank_graphs.push_back(std::move(root));
    body["graph"] = nlohmann::json::array();
    body["graph"].push_back(std::move(rank_graphs));
    return wrap(r.components[comp].id, std::move(body));
}

nlohmann::json flat_json_ranks(const std::vector<result>& ranks, size_t comp) {
    nlohmann::json out = flat_json(ranks.at(0), comp, 0);
    auto& body = out["timemory"][ranks[0].components[comp].id];
    for (size_t r = 1; r < ranks.size(); ++r) {
        nlohmann::json one = flat_json(ranks[r], comp, int(r));
        body["ranks"].push_back(
            std::move(one["timemory"][ranks[r].components[comp].id]["ranks"][0]));
    }
    body["mpi_size"] = ranks.size();
    return out;
}

nlohmann::json tree_json_ranks(const std::vector<result>& ranks, size_t comp) {
    nlohmann::json out = tree_json(ranks.at(0), comp, 0);
    auto& body = out["timemory"][ranks[0].components[comp].id];
    nlohmann::json mpi = nlohmann::json::array();
    for (size_t r = 0; r < ranks.size(); ++r) {
        nlohmann::json one = tree_json(ranks[r], comp, int(r));
        mpi.push_back(std::move(one["timemory"][ranks[r].components[comp].id]["graph"][0]));
    }
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
        events.push_back(
            {{"name", n.name},
             {"cat", c.label},
             {"ph", "X"},
             {"ts", start[i]},
             {"dur", dur},
             {"pid", n.pid},
             {"tid", n.tid},
             {"args",
              {{"count", n.count}, {"depth", n.depth}, {"file", n.file}, {"line", n.line}}}});
    }
    return {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
}

} // namespace timemory::rt
