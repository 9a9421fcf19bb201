// The GPU activity graph of cupti_activity, built from aggregated records. Separate from
// the CUPTI code so that it is compiled (and unit-tested) in every build.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/call_graph.hpp"

namespace timemory::rt::cupti {

/// GPU work of one kind (a kernel, a copy direction) launched from one call-graph node.
struct activity {
    uint32_t thread = 0;  ///< index of the launching thread (runtime::threads)
    uint32_t node = 0;    ///< its open node then, in that thread's graph (0: none)
    uint32_t op_site = 0; ///< site id of the operation (kernel name, "[CUDA memcpy HtoD]")
    uint64_t count = 0;   ///< records
    running_stat time, bytes;
};

/// A graph with two values per node (time, bytes): every activity becomes a child of the
/// path of its launching node, read from `threads[thread]` (outermost region first; an
/// unknown thread puts it at the top); a host node holds the sums, counts and extremes of
/// everything launched below it. `tid` receives the owning thread of every node.
call_graph activity_graph(const std::vector<activity>& acts,
                          const std::vector<const call_graph*>& threads, std::vector<int>* tid);

} // namespace timemory::rt::cupti
