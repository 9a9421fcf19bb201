// The runtime's side of reporting: the result of this process and what the writers are
// told about it (output/report_writer.hpp writes them, knowing no runtime state).
#pragma once

#include <string>
#include <vector>

#include "graph/snapshot.hpp"
#include "output/rank_slices.hpp"
#include "timemory/timemory.hpp"

namespace timemory::rt {

/// Merges every thread's graph (per TIMEMORY_COLLAPSE_THREADS) into one, read as a report
/// (values in display units). Open frames are not included. (runtime/merge_threads.cpp)
graph_report build_report();
/// The same, as a public result (get_result).
result build_result();

/// Writes every enabled report of this process now (its graph and the backends' own
/// reports); returns the folder or "" on failure.
std::string write_all_reports();
/// Writes the reports backends have of their own (GPU activity) for this process.
std::string write_backend_reports();
/// The same as write_all_reports for the results of several MPI ranks (index = rank),
/// with the ranks' own entries of the per-rank files from `slices` where there are some.
std::string write_rank_reports(const std::vector<result>& ranks,
                               const rank_slices* slices = nullptr);
/// The folder the ranks of an MPI job write their own entries into (rank 0's, made now).
std::string rank_slice_folder();

} // namespace timemory::rt
