// The report formats. Each reads a graph (graph/report_input.hpp: this process's merged
// call graph, or a result) and one report unit: a component, or the values of a
// multi-valued component (papi_vector), which share one set of files.
#pragma once

#include <functional>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "graph/report_input.hpp"
#include "output/file_io.hpp"
#include "output/json_writer.hpp"
#include "settings/settings.hpp"
#include "timemory/timemory.hpp"

namespace timemory::rt {

/// JSON objects keep their keys in insertion order: a group's statistics must list the
/// values in the order of its "type" list, which is how Hatchet pairs them.
using json_t = nlohmann::ordered_json;

/// Components [first, first + count) of a graph, reported as one set of files. `c`: the
/// graph's components.
struct report_unit {
    size_t first = 0, count = 1;
    report_unit() = default;
    report_unit(size_t comp) : first(comp) {} // NOLINT: one component is a unit
    report_unit(size_t f, size_t n) : first(f), count(n) {}
    bool grouped(const std::vector<component_info>& c) const { return !c[first].group.empty(); }
    /// The file stem and the JSON key: the component's label, or the group's id.
    std::string stem(const std::vector<component_info>& c) const;
    /// The JSON key under "timemory": the component's id, or the group's id.
    std::string key(const std::vector<component_info>& c) const;
};

/// The report units of a graph with components `c`, in component order (a group's values
/// are consecutive).
std::vector<report_unit> report_units(const std::vector<component_info>& c);

/// The title of a unit: the component's description, or its group's catalog entry's
/// (papi_vector: "Dynamically allocated array of PAPI HW counters").
std::string unit_description(const std::vector<component_info>& c, const report_unit& u);

/// The LABEL | COUNT | DEPTH | METRIC | UNITS | SUM | MEAN | MIN | MAX | STDDEV | % SELF
/// table. Display decoration (">>>", "|_") exists only here.
std::string text_table(const report_input& r, const report_unit& u, const settings::values& v,
                       int rank = 0);
/// The same table written to `out` as it is produced (two passes over the nodes: widths,
/// then rows; nothing kept per row).
void write_text_table(std::FILE* out, const report_input& r, const report_unit& u,
                      const settings::values& v, int rank = 0);

/// Writes graph `k`'s entry of a file with one entry per MPI rank from somewhere else (a
/// slice the rank wrote itself, output/rank_slices.hpp); false: not there, the writer
/// formats the entry.
using rank_entry_source = std::function<bool(json_writer& w, size_t k)>;

/// Flat records, one per node in pre-order: <label>.json. One entry per graph in "ranks"
/// (rank labels 0.. and "mpi_size" for several; `rank` for one: -1 for ranks combined).
void write_flat_json(json_writer& w, std::span<const report_input* const> ranks,
                     const report_unit& u, int rank = 0, const rank_entry_source& entry = {});
/// One graph's entry in "ranks": {"rank": label, "graph_size": n, "graph": [...]}.
void write_flat_json_entry(json_writer& w, const report_input& r, const report_unit& u, int label);

/// Nested graph in the layout Hatchet's timemory reader reads: <label>.tree.json. Written
/// with an explicit stack (no recursion: any depth). Several graphs, or one whose nodes
/// ran on threads other than the main one, use the "mpi" layout (one tree per rank, and
/// "mpi_size"), which is how Hatchet reads per-thread rows.
void write_tree_json(json_writer& w, std::span<const report_input* const> ranks,
                     const report_unit& u, int rank = 0, const rank_entry_source& entry = {});
/// One graph's entry in "mpi" (or "graph"): [{"node": root, "children": [...]}].
void write_tree_json_entry(json_writer& w, const report_input& r, const report_unit& u, int rank);

/// Chrome trace events: <label>.flamegraph.json (output/trace_events.cpp). One process
/// per graph of `processes` (several: one per MPI rank, named by rank), one track per
/// thread, named by "process_name"/"thread_name" metadata events; "X" events whose times
/// are multiples of 1/8 µs and never of zero length (nodes shorter than that where they
/// are drawn are left out, counted in "otherData"). Without timeline mode, children are
/// laid end to end from their parent's start (widths are exact sums); a subtree that ran
/// on another thread goes on that thread's track, from its spawn point's start, after the
/// track's previous work; work of several threads merged into one node is drawn as the
/// mean per thread, the track's name saying so. With timeline mode, real start times,
/// moved only as needed to keep every child inside its parent. On every track, events
/// nest or follow each other, never overlap partly. `run_ns` (> 0): the run's length so
/// far in the nodes' clock, said as "otherData.run_us" (every event lies within it).
void write_flamegraph_json(json_writer& w, std::span<const report_input* const> processes,
                           const report_unit& u, bool timeline, int64_t run_ns = 0);
/// The same for one process.
void write_flamegraph_json(json_writer& w, const report_input& r, const report_unit& u,
                           bool timeline, int64_t run_ns = 0);
/// Folded stacks: <label>.folded (output/folded.cpp). One line per node with exclusive
/// time, "a;b;c N" (N: microseconds, rounded; lines of 0 are left out), in pre-order;
/// frame names with ';' or control bytes escaped. Several graphs (MPI ranks): each
/// stack starts with a "rank K" frame. A stack is cut at 1 000 frames or 64 KiB of text:
/// what is below ends in one "[deeper]" frame holding its time. Memory: one stack.
void write_folded(std::FILE* out, std::span<const report_input* const> processes,
                  const report_unit& u);
/// The same for one process.
void write_folded(std::FILE* out, const report_input& r, const report_unit& u);
/// Whether unit `u` has a flame graph: time components only (a trace's widths are time).
bool has_flamegraph(const std::vector<component_info>& c, const report_unit& u);

/// The text a writer call produces, compact or indented (tests, small reports).
template <typename Fn>
std::string json_string(Fn&& write, int indent = 0) {
    return text_of([&](std::FILE* f) {
        json_writer w(f, indent);
        write(w);
    });
}

/// The text of a small JSON document (metadata): compact unless TIMEMORY_JSON_INDENT asks
/// for indentation; bytes that are not valid UTF-8 are written as U+FFFD.
template <typename Json>
std::string json_text(const Json& j, const settings::values& v) {
    return j.dump(v.json_indent > 0 ? int(v.json_indent) : -1, ' ', false,
                  Json::error_handler_t::replace);
}

} // namespace timemory::rt
