// Hands this process's results to the report writers with a report_context: the one place
// that reads the runtime's state (fork, MPI, signal, overhead, failures) for the reports.
#include "runtime/reports.hpp"

#include "backends/backend.hpp"
#include "base/clock.hpp"
#include "output/report_writer.hpp"
#include "runtime/runtime.hpp"

namespace timemory::rt {

namespace {

// `first`: the result whose components the overhead rows follow (display units).
report_context make_context(const result& first, const settings::values& v) {
    runtime& r = rt_state();
    report_context ctx;
    ctx.pid = report_pid();
    ctx.parent_pid = r.root_pid == ctx.pid ? r.root_ppid : r.root_pid;
    ctx.program = program_name();
    ctx.start_time_ns = r.start_time_ns;
    ctx.argv = r.argv;
    ctx.timeline = r.options.timeline;
    ctx.fork_child = ctx.pid != r.root_pid;
    ctx.in_mpi_job = g_finalize_handler.load() != nullptr;
    ctx.on_signal = g_finalizing_on_signal.load();
    ctx.failures = total_failures();
    {
        std::lock_guard<std::mutex> lk(r.mutex);
        ctx.thread_count = r.threads.size();
        ctx.refused_sites = r.bad_abi_sites;
    }
    if (r.overhead.measured) {
        const size_t n = std::min(first.components.size(), r.overhead.inside.size());
        for (size_t c = 0; c < n; ++c) {
            const double scale = (r.comps.comps[c]->tsc_scaled ? g_wall.ns_per_tick : 1.0) /
                                 first.components[c].unit_value;
            ctx.overhead.push_back({r.overhead.inside[c] * scale, r.overhead.timed_pair[c] * scale,
                                    r.overhead.untimed_pair[c] * scale});
        }
        ctx.compensated = v.compensate && r.comps.wall_only;
    }
    return ctx;
}

// The reports backends have of their own (a graph of GPU activity).
std::vector<result> backend_results() {
    std::vector<result> own;
    for (const backend* b : backends()) {
        result one;
        if (b->missing || !b->own_report || !b->own_report(one)) continue;
        own.push_back(std::move(one));
    }
    return own;
}

} // namespace

std::string write_all_reports() {
    refine_wall_clock();
    const settings::values v = settings::current();
    std::vector<result> one(1); // built in place: a copy would double the largest structure
    one[0] = build_result();
    const report_context ctx = make_context(one[0], v);
    return write_report_set(ctx, v, one, backend_results());
}

std::string write_backend_reports() {
    const settings::values v = settings::current();
    return write_report_set(make_context(result{}, v), v, {}, backend_results());
}

std::string write_rank_reports(const std::vector<result>& ranks) {
    const settings::values v = settings::current();
    const report_context ctx = make_context(ranks.empty() ? result{} : ranks[0], v);
    return write_report_set(ctx, v, ranks, {});
}

} // namespace timemory::rt
