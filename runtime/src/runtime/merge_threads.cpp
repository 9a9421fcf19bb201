// Gathering every thread's graph from the runtime into one result: the runtime layer's
// side of a snapshot (graph/snapshot.cpp converts a merged graph, knowing no runtime).
#include <unistd.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <tuple>

#include "graph/snapshot.hpp"
#include "runtime/reports.hpp"
#include "runtime/runtime.hpp"
#include "settings/settings.hpp"

namespace timemory::rt {

namespace {
// Compensation applies to the wall_clock fast path alone: its cost is a few instructions
// and two TSC reads, steady enough to subtract. Other sources are system calls whose cost
// varies more than it can be taken out; their reports keep it (metadata says how much).
const overhead_costs* compensation(const runtime& r) {
    return settings::current().compensate && r.overhead.measured && r.comps.wall_only ? &r.overhead
                                                                                      : nullptr;
}
} // namespace

graph_report build_report() {
    runtime& r = rt_state();
    const auto& v = settings::current();
    const bool collapse = v.collapse_threads;

    // Sites for the per-thread roots are registered before taking the lock.
    size_t nthreads;
    {
        runtime_lock lk(r.mutex);
        nthreads = r.threads.size();
    }
    std::vector<timemory_site*> thread_sites(nthreads, nullptr);
    if (!collapse) {
        for (size_t i = 0; i < nthreads; ++i) {
            thread_sites[i] = region_site(("[thread " + std::to_string(i) + "]").c_str());
            if (thread_sites[i]->id == 0) register_site(thread_sites[i]);
        }
    }

    runtime_lock lk(r.mutex);
    std::vector<const timemory_site*> sites(r.sites.begin(), r.sites.end());
    nthreads = std::min(nthreads, r.threads.size());
    if (nthreads == 0)
        return graph_report(call_graph(r.comps.size()), {}, std::move(sites), r.comps,
                            report_pid());

    const pid_t pid = report_pid();
    size_t main_idx = nthreads;
    for (size_t i = 0; i < nthreads; ++i)
        if (r.threads[i] && (main_idx == nthreads || r.threads[i]->tid == pid)) main_idx = i;
    if (main_idx == nthreads) main_idx = 0; // every thread was folded: none is left

    // At finalize, calls still open on other threads (a worker that called exit(), the main
    // thread while a worker ends the process) count as ending now.
    const bool finalizing = r.state.load() == int(run_state::finalizing);
    // One thread's graph that needs nothing added (no other thread, no open frame, no
    // suspended call) is read in place at finalize, when no thread changes it any more: a
    // copy would add the graph's own size to the memory writing the reports takes.
    if (finalizing && nthreads == 1 && r.finished.empty() && r.threads[0] &&
        !r.threads[0]->unreadable && r.threads[0]->stack.empty() && r.threads[0]->anchors.empty() &&
        !has_unsettled(r.threads[0]->graph, r.comps)) {
        const call_graph& g = r.threads[0]->graph;
        return graph_report(&g, std::vector<int>(g.size(), 0), std::move(sites), r.comps, pid,
                            compensation(r));
    }
    // Threads folded when they exited have no graph here (nor any memory): see `finished`.
    std::vector<std::unique_ptr<call_graph>> graphs(nthreads);
    std::vector<std::vector<int>> tids(nthreads);
    std::vector<std::vector<thread_state::anchor_target>> anchors(nthreads);
    for (size_t i = 0; i < nthreads; ++i) {
        if (!r.threads[i]) {
            if (i == main_idx) graphs[i] = std::make_unique<call_graph>(r.comps.size());
        } else if (r.threads[i]->unreadable) {
            graphs[i] = std::make_unique<call_graph>(r.comps.size());
        } else {
            const thread_state& t = *r.threads[i];
            graphs[i] = std::make_unique<call_graph>(t.graph);
            anchors[i] = t.anchors;
            if (finalizing && !t.stack.empty()) {
                int64_t now[field_count] = {};
                uint64_t read = read_sources_of_thread(r.comps.sources, t.tid, t.handle, now);
                t.add_open_frames(*graphs[i], r.comps, now[static_cast<int>(field::wall_ticks)],
                                  now, read);
            }
            settle_in_flight(*graphs[i], r.comps);
        }
        if (graphs[i]) tids[i].assign(graphs[i]->size(), int(i));
    }

    const bool timeline = r.options.timeline;
    if (collapse) {
        // Finished threads, folded when they exited, go under the nodes they started from,
        // in the graph of the thread that started them.
        for (const runtime::finished_threads& f : r.finished) {
            const int p = f.parent;
            const size_t dst =
                p >= 0 && size_t(p) < nthreads && graphs[size_t(p)] ? size_t(p) : main_idx;
            const size_t before = graphs[dst]->size();
            std::vector<uint32_t> map = graphs[dst]->merge_anchored(f.graph, dst == size_t(p));
            carry_node_values(tids[dst], graphs[dst]->size(), int(dst), before, map, f.tid);
        }
        // Where the nodes of a thread already merged away went, to find the places that
        // anchors of other threads stand for (an OpenMP region opened on a thread merged
        // before its workers are).
        // An entry with node no_node: the node is still in its thread's graph.
        std::vector<std::vector<std::pair<size_t, uint32_t>>> where(nthreads);
        auto place = [&](size_t t, uint32_t n) -> std::pair<size_t, uint32_t> {
            while (t < nthreads && n < where[t].size() && where[t][n].second != no_node)
                std::tie(t, n) = where[t][n];
            if (t >= nthreads || !graphs[t]) return {main_idx, 0};
            return {t, n < graphs[t]->size() ? n : 0};
        };
        // Adds `map`'s new nodes of thread `from` to `dst` (tids) and to where[from].
        auto record = [&](size_t from, size_t dst, size_t before,
                          const std::vector<uint32_t>& map) {
            carry_node_values(tids[dst], graphs[dst]->size(), int(dst), before, map, tids[from]);
            where[from].resize(map.size(), {from, no_node});
            for (uint32_t k = 1; k < map.size(); ++k)
                if (map[k] < skip_node) where[from][k] = {dst, map[k]};
        };
        // Later threads first: a thread's children are folded into it before it is
        // folded into its own parent (parents always attach before their children). The
        // subtrees of its anchors go first, each under the node it stands for.
        for (size_t i = nthreads; i-- > 0;) {
            if (!graphs[i]) continue;
            std::vector<uint32_t> rest(graphs[i]->size(), no_node);
            for (const auto& a : anchors[i]) {
                if (a.node >= graphs[i]->size()) continue;
                rest[a.node] = skip_node;
                auto [t, n] = place(a.thread, a.at);
                std::vector<uint32_t> map(graphs[i]->size(), no_node);
                map[a.node] = n;
                const size_t before = graphs[t]->size();
                // A region of this very thread (nested parallelism on one thread): from a
                // copy, as the merge appends to the graph it reads.
                const call_graph copy = t == i ? *graphs[i] : call_graph(0);
                map = graphs[t]->merge_placed(t == i ? copy : *graphs[i], std::move(map), timeline,
                                              true);
                map[a.node] = skip_node;
                record(i, t, before, map);
            }
            if (i == main_idx) continue;
            int p = r.threads[i]->parent_thread;
            size_t dst = (p >= 0 && size_t(p) < nthreads && size_t(p) != i && graphs[size_t(p)])
                             ? size_t(p)
                             : main_idx;
            uint32_t at = p >= 0 ? r.threads[i]->parent_node : 0;
            if (at >= graphs[dst]->size()) at = 0;
            const size_t before = graphs[dst]->size();
            rest[0] = at;
            std::vector<uint32_t> map =
                graphs[dst]->merge_placed(*graphs[i], std::move(rest), timeline, true);
            // New nodes keep the thread that recorded them (its own, or one merged into it).
            record(i, dst, before, map);
        }
        return graph_report(std::move(*graphs[main_idx]), std::move(tids[main_idx]),
                            std::move(sites), r.comps, pid, compensation(r));
    }

    call_graph& out = *graphs[main_idx];
    std::vector<int>& tid = tids[main_idx];
    for (size_t i = 0; i < nthreads; ++i) {
        if (i == main_idx || !graphs[i] || graphs[i]->size() <= 1) continue;
        uint32_t root = out.append(0, thread_sites[i]->id, std::numeric_limits<int64_t>::max());
        // The thread's root node carries the totals of its top-level regions.
        node& rn = out.at(root);
        rn.count = 1;
        for (uint32_t k = 1; k < graphs[i]->size(); ++k) {
            const node& kn = graphs[i]->at(k);
            if (kn.parent != 0) continue;
            rn.first_ticks = std::min(rn.first_ticks, kn.first_ticks);
            for (size_t c = 0; c < out.components(); ++c) {
                running_stat& d = out.stats(root)[c];
                const running_stat& s = graphs[i]->stats(k)[c];
                d.sum += s.sum;
                d.num += s.num;
                d.den += s.den;
            }
        }
        for (size_t c = 0; c < out.components(); ++c) {
            running_stat& d = out.stats(root)[c];
            d.min = d.max = d.sum;
            d.sumsq = static_cast<unsigned __int128>(static_cast<__int128>(d.sum) * d.sum);
        }
        out.merge(*graphs[i], root, timeline);
        tid.resize(out.size(), int(i));
    }
    return graph_report(std::move(out), std::move(tid), std::move(sites), r.comps, pid,
                        compensation(r));
}

result build_result() {
    return to_result(build_report());
}

} // namespace timemory::rt
