// A graph too large for the viewers, reported with its smallest call paths grouped.
//
// A long run (a test suite, a million distinct call paths) writes gigabytes of reports by
// default, and browser viewers stop at a few hundred megabytes. Above a node budget
// (TIMEMORY_MAX_REPORT_NODES) the reports show the call paths that hold the time, and
// under each parent one "[other]" node holding the values of its children that fell below
// the threshold, whole subtrees included: totals stay exact, the tree stays a tree, and
// the full data is one setting away.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/report_input.hpp"

namespace timemory::rt {

/// The name of a node standing for grouped call paths.
inline constexpr const char* grouped_node_name = "[other]";

/// `in` (which must outlive this) with at most `limit` nodes: the nodes whose inclusive
/// value of the ranking component is below a threshold are left out, and the ones left
/// out under each parent (on each thread) are one "[other]" node, the last child of that
/// parent, whose values are their sums (count, inclusive, exclusive: the whole subtrees),
/// min and max over them, stddev NaN. The threshold is the largest that leaves at most
/// `limit` nodes, groups included. The ranking component: the first time component, else
/// the first. The kept nodes keep every field; their order stays pre-order.
class grouped_input final : public report_input {
public:
    grouped_input(const report_input& in, size_t limit);

    const std::vector<component_info>& components() const override { return in_.components(); }
    size_t size() const override { return slots_.size(); }
    node_view node(size_t i) const override;

    /// Nodes of `in` left out (each in a group, or below one).
    size_t left_out() const { return in_.size() - kept_; }
    /// "[other]" nodes made.
    size_t groups() const { return groups_.size(); }
    /// The threshold: nodes whose inclusive value was below it were left out, in the
    /// ranking component's display units.
    double threshold() const { return threshold_; }
    /// The ranking component's index.
    size_t ranking() const { return rank_comp_; }

private:
    struct group {
        int64_t parent = -1; ///< output index of the parent, -1 at the top
        int64_t tid = 0;
        node_view view; ///< its fields (spans into the vectors below)
        std::vector<stats> inclusive, exclusive;
        std::vector<double> estimated;
    };
    struct slot {
        int64_t source = -1; ///< index in `in`, or -1 for a group
        size_t group = 0;    ///< index in groups_ when source < 0
        int64_t parent = -1;
        size_t first_child = 0, child_count = 0; ///< range in children_
    };
    const report_input& in_;
    size_t rank_comp_ = 0;
    size_t kept_ = 0;
    double threshold_ = 0;
    std::vector<slot> slots_;
    std::vector<group> groups_;
    std::vector<size_t> children_;
};

/// Whether `in` is over the node budget `limit` (0: no budget).
inline bool over_node_budget(const report_input& in, long limit) {
    return limit > 0 && in.size() > size_t(limit);
}

} // namespace timemory::rt
