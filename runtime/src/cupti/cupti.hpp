// GPU activity through CUPTI (cupti_activity).
//
// When cupti_activity is requested, CUPTI's activity API records kernels and memory
// copies, and its callback API tells us, at each launch on the host, which call-graph
// path is open (the CUPTI correlation id links the two). The activity graph is its own
// report (cupti_activity.*): every launching path, with one child per kernel or copy
// kind below it, GPU time summed over the records. libcupti is loaded with dlopen when
// the component is requested, so the runtime never depends on it otherwise. Built when
// the CUDA toolkit's CUPTI headers were found; the runtime reaches it through its backend
// object (cupti_backend, see backends/backend.hpp), never by name.
#pragma once

#include <string>
#include <vector>

#include "components/component.hpp"
#include "timemory/timemory.hpp"

namespace timemory::rt::cupti {

/// Whether CUPTI can record here: compiled in, libcupti loads, a CUDA driver and a
/// device exist. `why` names what is missing.
bool available(std::string* why);

/// Starts activity collection (once) and returns no snapshot values: cupti_activity is
/// reported from its own graph.
std::vector<int> expand(const component& group);

/// Whether collection was started.
bool active();

/// Flushes CUPTI's buffers and returns the activity graph (no nodes when nothing ran).
result collect();

} // namespace timemory::rt::cupti
