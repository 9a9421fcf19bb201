// What timemory's own hooks cost, measured at start-up, so reports can take it out.
//
// A timed call's recorded value holds part of its own enter and exit hooks (`inside`: from
// the clock read in enter to the clock read in exit, with no work between); its caller's
// value holds the whole pair (`timed_pair`) of every call made below it, and an untimed call
// of a throttled function costs its caller `untimed_pair`. All per component, in the raw
// units the call graph stores (wall ticks, ns, counts).
#pragma once

#include <vector>

namespace timemory::rt {

struct overhead_costs {
    bool measured = false;
    std::vector<double> inside, timed_pair, untimed_pair; ///< one per bundle component
};

/// Measures the costs on the calling thread with a private thread state and the real entry
/// points (a few thousand enter/exit pairs of calibration sites, which never appear in a
/// report). Call once the runtime is running. Fills rt_state().overhead.
void calibrate_overhead() noexcept;

} // namespace timemory::rt
