// Turning the threads' graphs into one reported result.
#pragma once

#include <vector>

#include "components/component.hpp"
#include "graph/bundle.hpp"
#include "graph/call_graph.hpp"
#include "graph/overhead_costs.hpp"
#include "timemory/timemory.hpp"

namespace timemory::rt {

/// Converts one merged graph: `tid[i]` is the owning thread of node i; `sites[id]` the site;
/// `pid` the process the nodes are reported under. With `oh`, the hooks' own cost is taken
/// out of every additive value (see overhead_costs.hpp).
result make_result(const call_graph& g, const std::vector<int>& tid,
                   const std::vector<const timemory_site*>& sites, const bundle& b, int pid,
                   const overhead_costs* oh = nullptr);

/// The reported identity and display units of one component (TIMEMORY_*_UNITS now).
component_info describe_component(const component& c);

/// 64-bit FNV-1a, continuing from `seed`.
uint64_t fnv1a(const char* text, uint64_t seed = 0xcbf29ce484222325ull);

} // namespace timemory::rt
