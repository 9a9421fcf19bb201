// Hands this process's results to the report writers with a report_context: the one place
// that reads the runtime's state (fork, MPI, signal, overhead, failures) for the reports.
#include "runtime/reports.hpp"

#include "backends/backend.hpp"
#include "base/clock.hpp"
#include "output/report_writer.hpp"
#include "runtime/runtime.hpp"

namespace timemory::rt {

namespace {

// `comps`: the components the overhead rows follow (display units).
report_context make_context(const std::vector<component_info>& comps, const settings::values& v) {
    runtime& r = rt_state();
    report_context ctx;
    ctx.pid = report_pid();
    ctx.parent_pid = r.root_pid == ctx.pid ? r.root_ppid : r.root_pid;
    ctx.program = program_name();
    ctx.start_time_ns = r.start_time_ns;
    ctx.argv = r.argv;
    ctx.timeline = r.options.timeline;
    ctx.run_ns = int64_t(ticks_to_ns_since_start(wall_ticks()));
    ctx.fork_child = ctx.pid != r.root_pid;
    ctx.in_mpi_job = g_finalize_handler.load() != nullptr;
    ctx.on_signal = g_finalizing_on_signal.load();
    ctx.failures = total_failures();
    {
        runtime_lock lk(r.mutex);
        ctx.thread_count = r.threads.size();
        ctx.refused_sites = r.bad_abi_sites;
    }
    if (r.overhead.measured) {
        const size_t n = std::min(comps.size(), r.overhead.inside.size());
        for (size_t c = 0; c < n; ++c) {
            const double scale =
                (r.comps.comps[c]->tsc_scaled ? g_wall.ns_per_tick : 1.0) / comps[c].unit_value;
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

// The set's list of the backends' reports.
std::vector<const report_input*> inputs_of(const std::vector<result_input>& own) {
    std::vector<const report_input*> out;
    for (const result_input& r : own)
        out.push_back(&r);
    return out;
}

} // namespace

std::string write_all_reports() {
    refine_wall_clock();
    const settings::values v = settings::current();
    const std::vector<result> own = backend_results();
    const std::vector<result_input> own_inputs(own.begin(), own.end());
    // Read by the writers as it is: no result is built (it would hold several times the
    // graph's memory).
    const graph_report graph = build_report();
    const report_context ctx = make_context(graph.components(), v);
    return write_report_set(ctx, v, {{&graph}, nullptr, inputs_of(own_inputs)});
}

std::string write_backend_reports() {
    const settings::values v = settings::current();
    const std::vector<result> own = backend_results();
    const std::vector<result_input> own_inputs(own.begin(), own.end());
    return write_report_set(make_context({}, v), v, {{}, nullptr, inputs_of(own_inputs)});
}

std::string rank_slice_folder() {
    return make_slice_folder(settings::current(), program_name(), report_pid());
}

std::string write_rank_reports(const std::vector<result>& ranks, const rank_slices* slices) {
    const settings::values v = settings::current();
    const std::vector<result_input> inputs(ranks.begin(), ranks.end());
    const bool combine = ranks.size() > 1 && v.collapse_processes;
    const result combined = combine ? combine_ranks(ranks) : result{};
    const result_input combined_input(combined);
    const report_graphs set{inputs_of(inputs), combine ? &combined_input : nullptr, {}, slices};
    const report_context ctx =
        make_context(ranks.empty() ? std::vector<component_info>{} : ranks[0].components, v);
    return write_report_set(ctx, v, set);
}

} // namespace timemory::rt
