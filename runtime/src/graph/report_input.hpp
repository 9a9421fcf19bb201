// What the report writers read: a graph of nodes in pre-order, one node at a time.
//
// Two kinds of graphs are reported. This process's own, at exit, is read straight from
// its merged call graph (graph_report, graph/snapshot.hpp): values converted once into
// compact arrays, names taken from the sites, so that writing a graph costs a fraction of
// its own memory. Graphs that arrive as public `result`s (MPI ranks, ranks combined, a
// backend's report, results given through the API) are read as they are (result_input).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "timemory/timemory.hpp"

namespace timemory::rt {

/// One node as a writer reads it: the fields of result_node, as views into storage that
/// the report_input owns (valid as long as it lives and is not changed).
struct node_view {
    std::string_view name, linkage, file;
    unsigned line = 0;
    int language = 0;
    bool throttled = false;
    int64_t parent = -1;              ///< index of the parent, -1 for a top-level node
    std::span<const size_t> children; ///< indices, in order of first call
    int depth = 0;
    uint64_t count = 0, untimed = 0;
    std::span<const double> estimated; ///< per component when untimed > 0, else empty
    uint64_t hash = 0, rolling_hash = 0;
    int64_t tid = 0;
    uint32_t threads = 1;
    int pid = 0, rank = 0;
    double start_ns = 0;
    std::span<const stats> per_rank; ///< ranks combined only
    int ranks = 1;
    std::span<const stats> inclusive, exclusive; ///< one per component
};

/// A graph to report. Nodes are in pre-order: a parent comes before its children.
class report_input {
public:
    virtual ~report_input() = default;
    /// The reported components, bundle order.
    virtual const std::vector<component_info>& components() const = 0;
    /// The number of nodes.
    virtual size_t size() const = 0;
    /// Node `i` (< size()).
    virtual node_view node(size_t i) const = 0;
};

/// A public result read as a report_input (it must outlive this).
class result_input final : public report_input {
public:
    explicit result_input(const result& r) : r_(r) {}
    const std::vector<component_info>& components() const override { return r_.components; }
    size_t size() const override { return r_.nodes.size(); }
    node_view node(size_t i) const override;

private:
    const result& r_;
};

/// Every node of `in` copied out into a public result.
result to_result(const report_input& in);

/// `in` in the binary form of timemory::encode (graph/result_codec.cpp), every node's rank
/// replaced by `rank` when given.
std::string encode_report(const report_input& in, std::optional<int> rank);

} // namespace timemory::rt
