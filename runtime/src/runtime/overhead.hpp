// Measuring what timemory's own hooks cost (graph/overhead_costs.hpp says what is measured).
#pragma once

#include "graph/overhead_costs.hpp"

namespace timemory::rt {

/// Measures the costs on the calling thread with a private thread state and the real entry
/// points (a few thousand enter/exit pairs of calibration sites, which never appear in a
/// report). Call once the runtime is running. Fills rt_state().overhead.
void calibrate_overhead() noexcept;

} // namespace timemory::rt
