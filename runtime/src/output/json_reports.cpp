// <label>.json (flat records) and <label>.tree.json (nested, for Hatchet), streamed
// through json_writer: no report is built as a document in memory, whatever the size of
// the graph.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "base/text.hpp"
#include "components/component.hpp"
#include "output/formats.hpp"

namespace timemory::rt {

namespace {

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

// The component header: Hatchet reads a "type" list as one metric per value of a group.
void write_header(json_writer& w, const std::vector<component_info>& comps, const report_unit& u) {
    const component_info& c = comps[u.first];
    if (!u.grouped(comps)) {
        w.member("type", c.label);
        w.member("id", c.id);
        w.member("description", c.description);
        w.member("unit_value", c.unit_value);
        w.member("unit_repr", c.units);
        return;
    }
    auto list = [&](const char* key, auto field) {
        w.key(key);
        w.begin_array();
        for (size_t k = u.first; k < u.first + u.count; ++k)
            w.value(field(comps[k]));
        w.end_array();
    };
    list("type", [](const component_info& ci) { return ci.label; });
    w.member("id", c.group);
    w.member("description", unit_description(comps, u));
    list("unit_value", [](const component_info& ci) { return ci.unit_value; });
    list("unit_repr", [](const component_info& ci) { return ci.units; });
    list("value_descriptions", [](const component_info& ci) { return ci.description; });
}

void write_stats(json_writer& w, const stats& s) {
    w.begin_object();
    w.member("sum", s.sum);
    w.member("mean", s.mean);
    w.member("min", s.min);
    w.member("max", s.max);
    w.member("stddev", s.stddev);
    w.end_object();
}

// One stats object for a unit: plain numbers for one component; for a group each
// statistic is an object keyed by value name, in value order (Hatchet's layout).
void write_unit_stats(json_writer& w, const std::vector<component_info>& comps,
                      std::span<const stats> s, const report_unit& u) {
    if (!u.grouped(comps)) return write_stats(w, s[u.first]);
    w.begin_object();
    for (double stats::*field :
         {&stats::sum, &stats::mean, &stats::min, &stats::max, &stats::stddev}) {
        w.key(field == &stats::sum    ? "sum"
              : field == &stats::mean ? "mean"
              : field == &stats::min  ? "min"
              : field == &stats::max  ? "max"
                                      : "stddev");
        w.begin_object();
        for (size_t k = u.first; k < u.first + u.count; ++k)
            w.member(comps[k].label, s[k].*field);
        w.end_object();
    }
    w.end_object();
}

void write_entry(json_writer& w, const std::vector<component_info>& comps, uint64_t laps,
                 std::span<const stats> s, const report_unit& u) {
    w.begin_object();
    w.key("entry");
    w.begin_object();
    w.member("laps", laps);
    w.key("value");
    if (u.grouped(comps)) {
        w.begin_array();
        for (size_t k = u.first; k < u.first + u.count; ++k)
            w.value(s[k].sum);
        w.end_array();
    } else {
        w.value(s[u.first].sum);
    }
    w.end_object();
    w.key("stats");
    write_unit_stats(w, comps, s, u);
    w.end_object();
}

// The "prefix" of a node in tree.json, as Hatchet's timemory reader parses it. The reader
// tries a list of patterns on the prefix alone; the first that always applies whole is
// "<label> [<func>/<file>:<line>]", from which it takes the label as the node's name and
// the file and line as they are. Anything else is split at the first '@', '/' or ':' it
// finds, and nodes of one name under one parent become one row. So: the label is the
// node's name as every report shows it (a Python function's is "f/file.py:line", distinct
// for distinct functions), printable on one line; <func> is the language (ignored by the
// reader); the file is the base name (the reader keeps only what follows the last '/')
// with white space replaced, as the pattern needs it.
std::string hatchet_prefix(const node_view& n) {
    const size_t slash = n.file.rfind('/');
    std::string file(slash == std::string_view::npos ? n.file : n.file.substr(slash + 1));
    if (file.empty()) file = "<unknown>";
    for (char& c : file)
        if (std::isspace(static_cast<unsigned char>(c))) c = '_';
    return printable(std::string(n.name)) + " [" + language_name(n.language) + "/" + file + ":" +
           std::to_string(n.line) + "]";
}

// A node's members (the caller opens and closes the object). `hatchet`: tree.json's
// prefix (see hatchet_prefix); elsewhere the prefix is the name.
void write_node_members(json_writer& w, const std::vector<component_info>& comps,
                        const node_view& n, const report_unit& u, int rank, bool hatchet = false) {
    w.member("hash", n.hash);
    w.member("rolling_hash", n.rolling_hash);
    if (hatchet)
        w.member("prefix", hatchet_prefix(n));
    else
        w.member("prefix", n.name);
    w.member("name", n.name);
    w.member("linkage", n.linkage);
    w.member("file", n.file);
    w.member("line", n.line);
    w.member("language", language_name(n.language));
    w.member("throttled", n.throttled);
    w.member("depth", n.depth);
    w.member("tid", n.tid);
    w.member("threads", n.threads);
    w.member("pid", n.pid);
    w.member("rank", rank);
    w.member("start_ns", n.start_ns);
    w.member("ranks", n.ranks);
    if (n.untimed > 0) {
        // Calls of a throttled function that were counted, not timed: the part of the
        // inclusive values estimated from the timed calls.
        w.member("untimed", n.untimed);
        if (u.grouped(comps)) {
            w.key("estimated");
            w.begin_object();
            for (size_t k = u.first; k < u.first + u.count && k < n.estimated.size(); ++k)
                w.member(comps[k].label, n.estimated[k]);
            w.end_object();
        } else if (u.first < n.estimated.size()) {
            w.member("estimated", n.estimated[u.first]);
        }
    }
    w.key("inclusive");
    write_entry(w, comps, n.count, n.inclusive, u);
    w.key("exclusive");
    write_entry(w, comps, n.count, n.exclusive, u);
}

// {"timemory": {"<key>": { header, ... }}}: opens the three objects, writes the header.
void open_report(json_writer& w, const std::vector<component_info>& comps, const report_unit& u) {
    w.begin_object();
    w.key("timemory");
    w.begin_object();
    w.key(u.key(comps));
    w.begin_object();
    write_header(w, comps, u);
}

void close_report(json_writer& w) {
    w.end_object();
    w.end_object();
    w.end_object();
}

} // namespace

std::string report_unit::stem(const std::vector<component_info>& c) const {
    return grouped(c) ? c[first].group : c[first].label;
}

std::string report_unit::key(const std::vector<component_info>& c) const {
    return grouped(c) ? c[first].group : c[first].id;
}

std::string unit_description(const std::vector<component_info>& comps, const report_unit& u) {
    const component_info& c = comps[u.first];
    if (!u.grouped(comps)) return c.description;
    int idx = find_component(c.group);
    return idx >= 0 ? catalog()[size_t(idx)].description : c.group;
}

std::vector<report_unit> report_units(const std::vector<component_info>& comps) {
    std::vector<report_unit> out;
    for (size_t c = 0; c < comps.size(); ++c) {
        const std::string& g = comps[c].group;
        if (!g.empty() && !out.empty() && comps[out.back().first].group == g)
            out.back().count += 1;
        else
            out.push_back(report_unit(c, 1));
    }
    return out;
}

void write_flat_json_entry(json_writer& w, const report_input& r, const report_unit& u, int label) {
    w.begin_object();
    w.member("rank", label);
    w.member("graph_size", r.size());
    w.key("graph");
    w.begin_array();
    for (size_t i = 0; i < r.size(); ++i) {
        const node_view n = r.node(i);
        w.begin_object();
        write_node_members(w, r.components(), n, u, label);
        // A combined graph of several ranks: the node's SUM on each rank, over ranks.
        if (u.first + u.count <= n.per_rank.size()) {
            w.key("per_rank");
            write_unit_stats(w, r.components(), n.per_rank, u);
        }
        // The parent's index in this list (-1: top level): the tree in constant space
        // per node, whatever the depth, readable by any JSON parser at any depth (the
        // nested tree.json is not, past ~1000 levels).
        w.member("parent", n.parent);
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

void write_flat_json(json_writer& w, std::span<const report_input* const> ranks,
                     const report_unit& u, int rank, const rank_entry_source& entry) {
    open_report(w, ranks.front()->components(), u);
    w.key("ranks");
    w.begin_array();
    for (size_t k = 0; k < ranks.size(); ++k)
        if (!entry || !entry(w, k))
            write_flat_json_entry(w, *ranks[k], u, ranks.size() > 1 ? int(k) : rank);
    w.end_array();
    if (ranks.size() > 1) w.member("mpi_size", ranks.size());
    close_report(w);
}

namespace {

// The dummy root (hash 0) of a rank's tree: Hatchet passes through it.
void write_root_node(json_writer& w, const std::vector<component_info>& comps, const report_unit& u,
                     int rank) {
    std::vector<stats> zero(comps.size());
    w.begin_object();
    w.member("hash", 0);
    w.member("prefix", "root");
    w.member("depth", -1);
    w.member("tid", 0);
    w.member("pid", 0);
    w.member("rank", rank);
    for (const char* which : {"inclusive", "exclusive"}) {
        w.key(which);
        w.begin_object();
        w.key("entry");
        w.begin_object();
        w.member("laps", 0);
        w.end_object();
        w.key("stats");
        write_unit_stats(w, comps, zero, u);
        w.end_object();
    }
    w.end_object();
}

// One rank's nested tree, {"node": root, "children": [...]}, written with an explicit
// stack: a graph of any depth (100 000 nested calls) costs no recursion.
void write_tree(json_writer& w, const report_input& r, const report_unit& u, int rank) {
    std::vector<size_t> top;
    for (size_t i = 0; i < r.size(); ++i)
        if (r.node(i).parent < 0) top.push_back(i);
    w.begin_object();
    w.key("node");
    write_root_node(w, r.components(), u, rank);
    w.key("children");
    w.begin_array();
    struct level {
        std::span<const size_t> kids;
        size_t next;
    };
    std::vector<level> stack{{top, 0}};
    while (!stack.empty()) {
        level& l = stack.back();
        if (l.next == l.kids.size()) {
            w.end_array();
            w.end_object();
            stack.pop_back();
            continue;
        }
        const node_view n = r.node(l.kids[l.next++]);
        w.begin_object();
        w.key("node");
        w.begin_object();
        write_node_members(w, r.components(), n, u, rank, true);
        w.end_object();
        w.key("children");
        w.begin_array();
        stack.push_back({n.children, 0});
    }
}

bool has_threads(const report_input& r) {
    for (size_t i = 0; i < r.size(); ++i)
        if (r.node(i).tid != 0) return true;
    return false;
}

} // namespace

void write_tree_json_entry(json_writer& w, const report_input& r, const report_unit& u, int rank) {
    w.begin_array();
    write_tree(w, r, u, rank);
    w.end_array();
}

void write_tree_json(json_writer& w, std::span<const report_input* const> ranks,
                     const report_unit& u, int rank, const rank_entry_source& entry) {
    // One list per rank holding its root, in either layout: [[root]]. One process whose
    // nodes ran on other threads uses the "mpi" layout with one entry (Hatchet's reader
    // fails on "graph" with a thread other than 0).
    const bool mpi = ranks.size() > 1 || has_threads(*ranks.front());
    open_report(w, ranks.front()->components(), u);
    w.key(mpi ? "mpi" : "graph");
    w.begin_array();
    for (size_t k = 0; k < ranks.size(); ++k)
        if (!entry || !entry(w, k))
            write_tree_json_entry(w, *ranks[k], u, ranks.size() > 1 ? int(k) : rank);
    w.end_array();
    if (mpi) w.member("mpi_size", ranks.size());
    close_report(w);
}

bool has_flamegraph(const std::vector<component_info>& c, const report_unit& u) {
    return c.at(u.first).kind == "time";
}

} // namespace timemory::rt
