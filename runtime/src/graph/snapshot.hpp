// Turning a merged call graph into what is reported: values in display units, nodes in
// pre-order.
#pragma once

#include <memory>
#include <vector>

#include "components/component.hpp"
#include "graph/bundle.hpp"
#include "graph/call_graph.hpp"
#include "graph/overhead_costs.hpp"
#include "graph/report_input.hpp"
#include "timemory/timemory.hpp"

namespace timemory::rt {

/// A merged call graph read as a report. Every value is converted once, into arrays
/// (inclusive and exclusive statistics, estimates of untimed calls, with the hooks' cost
/// taken out), and names are read from the sites: about 120 bytes per node with one
/// component, where a `result` holds about 420 and a copy of every name. What the runtime
/// writes at exit: the writers read it, no result is built.
class graph_report final : public report_input {
public:
    /// Converts `g`, which it keeps: `tid[i]` is the owning thread of node i; `sites[id]` the
    /// site (never freed: sites live as long as the process); `pid` the process the nodes are
    /// reported under. With `oh`, the hooks' own cost is taken out of every additive value
    /// (see overhead_costs.hpp).
    graph_report(call_graph g, std::vector<int> tid, std::vector<const timemory_site*> sites,
                 const bundle& b, int pid, const overhead_costs* oh = nullptr);
    /// The same, reading `g` in place: it must outlive this and not change meanwhile (at
    /// finalize, once every thread has stopped recording), so that reporting one thread's
    /// graph adds no copy of it to the process's peak memory.
    graph_report(const call_graph* g, std::vector<int> tid, std::vector<const timemory_site*> sites,
                 const bundle& b, int pid, const overhead_costs* oh = nullptr);
    const std::vector<component_info>& components() const override { return comps_; }
    size_t size() const override { return order_.size(); }
    node_view node(size_t i) const override;

private:
    void convert(const bundle& b, const overhead_costs* oh);

    std::unique_ptr<call_graph> own_; ///< the graph, when it was handed over
    const call_graph* g_;             ///< the graph read (own_, or one read in place)
    std::vector<int> tid_;            ///< by graph node
    std::vector<const timemory_site*> sites_;
    std::vector<component_info> comps_;
    int pid_ = 0;
    size_t nc_ = 0;
    // By report index (pre-order):
    std::vector<uint32_t> order_;                ///< the graph node
    std::vector<int32_t> parent_;                ///< the parent's report index, -1 at the top
    std::vector<uint64_t> hash_;                 ///< hash of the site's linkage name
    std::vector<uint64_t> path_;                 ///< rolling hash of the call path
    std::vector<size_t> child_begin_, children_; ///< children's report indices, CSR
    std::vector<stats> inclusive_, exclusive_;   ///< × components
    std::vector<double> estimated_;              ///< × components; empty when no call was untimed
};

/// The public result of one merged graph (what get_result returns): a graph_report's
/// nodes copied out.
result make_result(const call_graph& g, const std::vector<int>& tid,
                   const std::vector<const timemory_site*>& sites, const bundle& b, int pid,
                   const overhead_costs* oh = nullptr);

/// The reported identity and display units of one component (TIMEMORY_*_UNITS now).
component_info describe_component(const component& c);

/// 64-bit FNV-1a, continuing from `seed`.
uint64_t fnv1a(const char* text, uint64_t seed = 0xcbf29ce484222325ull);

} // namespace timemory::rt
