// The report formats. Each takes the merged result and one component index.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "settings/settings.hpp"
#include "timemory/timemory.hpp"

namespace timemory::rt {

/// The LABEL | COUNT | DEPTH | METRIC | UNITS | SUM | MEAN | MIN | MAX | STDDEV | % SELF
/// table. Display decoration (">>>", "|_") exists only here.
std::string text_table(const result& r, size_t comp, const settings::values& v, int rank = 0);

/// Flat records, one per node in pre-order: <label>.json.
nlohmann::json flat_json(const result& r, size_t comp, int rank = 0);

/// Nested graph in the layout Hatchet's timemory reader reads: <label>.tree.json.
nlohmann::json tree_json(const result& r, size_t comp, int rank = 0);

/// Chrome trace events ("X" complete events, microseconds): <label>.flamegraph.json.
/// Without timeline mode, children are laid end to end from their parent's start, so
/// widths are exact sums and nesting is valid; with it, events carry real start times.
nlohmann::json flamegraph_json(const result& r, size_t comp, bool timeline);

/// <label>.json for several ranks: one entry per rank in "ranks".
nlohmann::json flat_json_ranks(const std::vector<result>& ranks, size_t comp);

/// <label>.tree.json for several ranks, in Hatchet's MPI layout: "mpi": one graph per rank.
nlohmann::json tree_json_ranks(const std::vector<result>& ranks, size_t comp);

/// The `inclusive`/`exclusive` object of one node's stats (NaN written as null).
nlohmann::json stats_json(const stats& s);

} // namespace timemory::rt
