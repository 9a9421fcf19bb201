// Writing one process's set of reports (or an MPI job's), from what the runtime hands over.
// The writers never read the runtime's state: everything they need about the process is in
// a report_context, which the runtime layer fills (runtime/reports.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/report_input.hpp"
#include "graph/thread_state.hpp"
#include "output/rank_slices.hpp"
#include "settings/settings.hpp"
#include "timemory/timemory.hpp"

namespace timemory::rt {

/// The hooks' own cost for one component, in that component's display units.
struct overhead_row {
    double inside = 0;  ///< part of a timed call's own hooks in its value
    double timed = 0;   ///< a timed call's enter/exit pair, as its caller sees it
    double untimed = 0; ///< an untimed (throttled) call's pair
};

/// What the reports say about the process they are written for.
struct report_context {
    int pid = 0;               ///< the process the reports are for (the crashed one, for a signal)
    int parent_pid = 0;        ///< its parent, or the process it was forked from
    std::string program;       ///< short program name: %p in TIMEMORY_OUTPUT_PATH, fallback folder
    int64_t start_time_ns = 0; ///< CLOCK_REALTIME at start-up: names the run folder
    std::vector<std::string> argv;
    bool timeline = false; ///< nodes carry start times (flame graphs are a timeline)
    /// Time from start-up to the writing, in the nodes' start_ns clock (the flame graph of
    /// this process says how long the run was); 0: unknown.
    int64_t run_ns = 0;
    /// Facts that decide whether file names carry the pid in a shared output folder:
    bool fork_child = false; ///< a fork child of the process that started the runtime
    bool in_mpi_job = false; ///< one process of an MPI job (reports normally gathered)
    bool on_signal = false;  ///< written alone by the fatal-signal handler
    size_t thread_count = 0;
    failure_counts failures;
    uint64_t refused_sites = 0; ///< sites refused for a foreign ABI version
    /// Per reported component; empty when the cost was not measured.
    std::vector<overhead_row> overhead;
    bool compensated = false; ///< the cost was taken out of the values (TIMEMORY_COMPENSATE)
};

/// The graphs of one set of reports (each must outlive the writing).
struct report_graphs {
    /// One: this process; several: MPI ranks (index = rank); none: only `own`.
    std::vector<const report_input*> ranks;
    /// Several ranks combined into one graph (TIMEMORY_COLLAPSE_PROCESSES), reported as the
    /// main files with the ranks' in the `ranks/` sub-folder; null: the ranks' files only.
    const report_input* combined = nullptr;
    /// The backends' own reports (a graph of GPU activity), each its own set of files.
    std::vector<const report_input*> own;
    /// The ranks' own entries of the per-rank files, copied in place of formatting them
    /// (output/rank_slices.hpp); null: every entry is formatted here.
    const rank_slices* slices = nullptr;
};

/// Writes `set` into the output folder (a run folder made visible when complete), prints
/// the tables when TIMEMORY_COUT_OUTPUT asks, and says where the set is. A full disk makes
/// the whole set be written again in the fallback folder. Returns the folder, or "" when
/// nothing or not all was written (each missing file named in a warning).
std::string write_report_set(const report_context& ctx, const settings::values& v,
                             const report_graphs& set);

/// Expands %p (`program`) and %pid (`pid`) in an output path and drops trailing slashes.
std::string expand_output_path(std::string p, const std::string& program, int pid);

} // namespace timemory::rt
