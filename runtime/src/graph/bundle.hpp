// The active component set, fixed at initialisation (TIMEMORY_COMPONENTS).
#pragma once

#include <cstdint>
#include <vector>

#include "components/component.hpp"
#include "graph/call_graph.hpp"

namespace timemory::rt {

struct bundle {
    std::vector<int> ids;          ///< catalog indices, report order
    std::vector<const component*> comps;
    unsigned sources = src_wall;   ///< union of the components' sources
    bool wall_only = true;         ///< the fast path: wall_clock alone

    void select(const std::vector<int>& catalog_ids);
    size_t size() const { return comps.size(); }

    /// Adds one call's values (from two snapshots) to a node's running_stat blocks.
    void record(const int64_t* start, const int64_t* stop, running_stat* out) const noexcept;
};

} // namespace timemory::rt
