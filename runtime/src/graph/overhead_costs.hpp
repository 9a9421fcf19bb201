// What timemory's own hooks cost, per component, so reports can take it out.
//
// A timed call's recorded value holds part of its own enter and exit hooks (`inside`: from
// the clock read in enter to the clock read in exit, with no work between); its caller's
// value holds the whole pair (`timed_pair`) of every call made below it, and an untimed call
// of a throttled function costs its caller `untimed_pair`. All per component, in the raw
// units the call graph stores (wall ticks, ns, counts). Measured by the runtime at start-up
// (runtime/overhead.hpp); used when a graph is converted (graph/snapshot.hpp).
#pragma once

#include <vector>

namespace timemory::rt {

struct overhead_costs {
    bool measured = false;
    std::vector<double> inside, timed_pair, untimed_pair; ///< one per bundle component
};

} // namespace timemory::rt
