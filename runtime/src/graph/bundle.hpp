// The active component set, fixed at initialisation (TIMEMORY_COMPONENTS).
#pragma once

#include <cstdint>
#include <vector>

#include "components/component.hpp"
#include "graph/call_graph.hpp"

namespace timemory::rt {

struct bundle {
    std::vector<int> ids; ///< catalog indices, report order
    std::vector<const component*> comps;
    unsigned sources = src_wall; ///< union of the components' sources
    bool wall_only = true;       ///< the fast path: wall_clock alone

    void select(const std::vector<int>& catalog_ids);
    size_t size() const { return comps.size(); }

    /// Adds one call's values (from two snapshots) to a node's stat blocks; with
    /// `suspended`, keeps them as pending segments of a call that is not over.
    void record(const int64_t* start, const int64_t* stop, running_stat* out,
                bool suspended = false) const noexcept;

    /// A ratio component's raw value per call: the percentage times this (micro-percent).
    static constexpr int64_t ratio_scale = 1000000;

    /// The value of component `c` between two snapshots, in raw units (ratio components:
    /// the percentage in 1/ratio_scale units, with numerator and denominator summed into
    /// `num`/`den`). Integer arithmetic only, as everything on the hot path.
    static int64_t value_of(const component& c, const int64_t* start, const int64_t* stop,
                            int64_t* num = nullptr, int64_t* den = nullptr) noexcept;
};

} // namespace timemory::rt
