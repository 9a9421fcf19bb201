#include "runtime/overhead.hpp"

#include <algorithm>
#include <limits>

#include "runtime/runtime.hpp"
#include "timemory/timemory.h"

namespace timemory::rt {

namespace {

// Calibration sites: registered like any other (they need ids), used only on the private
// thread state below, so no report ever shows them.
timemory_site g_outer{
    0, TIMEMORY_LANG_REGION, "[timemory calibration]", "[timemory calibration]", "",
    0, TIMEMORY_SITE_ABI};
timemory_site g_timed{
    0, TIMEMORY_LANG_REGION, "[timemory calibration: timed]", "[timemory calibration: timed]", "",
    0, TIMEMORY_SITE_ABI};
// A compiled function's site (manual regions are never throttled), throttled from the start.
timemory_site g_untimed{
    0, TIMEMORY_LANG_CXX, "[timemory calibration: untimed]", "[timemory calibration: untimed]", "",
    0, TIMEMORY_SITE_ABI};

// Rounds of pairs, each measured alone: the cost of a pair is the least any round saw. A
// round the thread was preempted in (or took a page fault in) only ever costs more, and one
// such round must not make the compensation take more than the hooks cost from every call
// of the run.
constexpr int rounds = 8;
constexpr int pairs = 500;

// Runs `pairs` enter/exit pairs of `inner` inside one call of g_outer.
void loop(timemory_site* inner) {
    timemory_enter(&g_outer);
    for (int i = 0; i < pairs; ++i) {
        timemory_enter(inner);
        timemory_exit(inner);
    }
    timemory_exit(&g_outer);
}

// Measures the hooks' costs on private thread states (see calibrate_overhead).
void calibrate() {
    runtime& r = rt_state();
    for (timemory_site* s : {&g_outer, &g_timed, &g_untimed})
        if (s->id == 0 && !register_site(s)) return;
    __atomic_fetch_or(&g_untimed.flags, uint32_t(TIMEMORY_SITE_THROTTLED), __ATOMIC_RELAXED);
    const size_t nc = r.comps.size();
    constexpr double none = std::numeric_limits<double>::infinity();
    overhead_costs out;
    out.inside.assign(nc, none);
    out.timed_pair.assign(nc, none);
    out.untimed_pair.assign(nc, none);

    thread_state* saved = t_state;
    for (timemory_site* inner : {&g_timed, &g_untimed}) {
        thread_state calib(0, r.comps);
        t_state = &calib;
        // The first loop takes the memory for the nodes, a throttled function's baseline
        // and its blocks of samples: one-off costs that are no call's. Then each round
        // runs on the emptied graph (its memory kept).
        loop(inner);
        for (int k = 0; k < rounds; ++k) {
            calib.graph.clear();
            loop(inner);
            const call_graph& g = calib.graph;
            uint32_t outer_node = 0, inner_node = 0;
            for (uint32_t n = 1; n < g.size(); ++n) {
                if (g.at(n).site == g_outer.id) outer_node = n;
                if (g.at(n).site == inner->id && g.at(n).parent == outer_node && outer_node)
                    inner_node = n;
            }
            if (!outer_node || !inner_node) { // the runtime stopped meanwhile
                t_state = saved;
                return;
            }
            const node& in = g.at(inner_node);
            for (size_t c = 0; c < nc; ++c) {
                const double whole = double(g.stats(outer_node)[c].sum);
                const double timed_sum = double(g.stats(inner_node)[c].sum);
                if (inner == &g_timed) {
                    if (in.count)
                        out.inside[c] = std::min(out.inside[c], timed_sum / double(in.count));
                    out.timed_pair[c] = std::min(out.timed_pair[c], whole / pairs);
                } else if (in.unmeasured > 0) {
                    // The sampled calls among them cost what a timed pair costs.
                    const double samples = double(in.count) * out.timed_pair[c];
                    out.untimed_pair[c] =
                        std::min(out.untimed_pair[c],
                                 std::max(0.0, (whole - samples) / double(in.unmeasured)));
                }
            }
        }
        t_state = saved;
    }
    for (auto* v : {&out.inside, &out.timed_pair, &out.untimed_pair})
        for (double& x : *v)
            if (x == none) x = 0.0;
    out.measured = true;
    runtime_lock lk(r.mutex);
    r.overhead = std::move(out);
}

} // namespace

void calibrate_overhead() noexcept {
    try {
        calibrate();
    } catch (...) {
        // No memory for the private graphs: the costs stay unmeasured, nothing compensated.
    }
}

} // namespace timemory::rt
