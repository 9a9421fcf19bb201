#include "graph/thread_state.hpp"

#include <unistd.h>

#include <limits>

#include "base/clock.hpp"

namespace timemory::rt {

bool frame_stack::grow(size_t cap) noexcept {
    auto* bigger = static_cast<frame*>(pages_alloc(cap * sizeof(frame)));
    if (!bigger) return false;
    for (size_t i = 0; i < size_; ++i)
        bigger[i] = data_[i];
    pages_free(data_, cap_ * sizeof(frame));
    data_ = bigger;
    cap_ = cap;
    return true;
}

thread_state::thread_state(uint32_t idx, const bundle& b)
    : graph(b.size()), index(idx),
      rng_(0x9e3779b97f4a7c15ull ^ (uint64_t(idx) << 32) ^ uint64_t(gettid())), bundle_(&b) {
    if (!b.wall_only) starts.resize(256 * size_t(field_count));
    tid = static_cast<pid_t>(gettid());
    handle = pthread_self();
}

uint32_t thread_state::recording_parent() const noexcept {
    uint32_t parent = stack.empty() ? 0 : stack.back().node;
    return parent == detached_node ? 0 : parent;
}

void thread_state::enter(timemory_site* s, const bundle& b, const record_options& o,
                         bool stamp) noexcept {
    const size_t depth = stack.size();
    const uint32_t parent = recording_parent();
    uint32_t n = no_node;
    if (parent != no_node && depth < o.max_depth) {
        // The entry time of a new node is filled in when its first call closes.
        constexpr int64_t later = std::numeric_limits<int64_t>::max();
        try {
            if (o.flat)
                n = graph.child(0, site_id(s), later);
            else if (o.timeline)
                n = graph.append(parent, site_id(s), later);
            else
                n = graph.child(parent, site_id(s), later);
        } catch (...) {
            // No memory for a new node: this call is not recorded (as past max_depth).
            n = no_node;
            ++failures.no_memory;
        }
    } else if (depth >= o.max_depth) {
        ++failures.past_max_depth;
    }
    push_frame(s, n, b, stamp);
}

void thread_state::push_frame(timemory_site* s, uint32_t n, const bundle& b, bool stamp) noexcept {
    const size_t depth = stack.size();
    bool pushed = false;
    if (b.wall_only) {
        pushed = stack.push_back(frame{s, n, stamp ? wall_ticks() : 0});
    } else {
        try {
            if (starts.size() < (depth + 1) * size_t(field_count))
                starts.resize((depth + 1) * 2 * size_t(field_count));
            int64_t* snap = &starts[depth * size_t(field_count)];
            read_sources(b.sources, snap);
            pushed = stack.push_back(frame{s, n, snap[static_cast<int>(field::wall_ticks)]});
        } catch (...) {
        }
    }
    // No memory for a deeper stack: the call is not tracked; its exit is then an unmatched
    // one, ignored as such.
    if (!pushed) ++failures.no_memory;
}

void thread_state::enter_anchored(timemory_site* s, uint32_t thread, uint32_t at, const bundle& b,
                                  const record_options& o) noexcept {
    uint32_t n = no_node;
    try {
        if (stack.size() < o.max_depth && !o.flat) {
            const uint64_t key = (uint64_t(thread) << 32) | at;
            auto it = anchor_index.find(key);
            if (it == anchor_index.end()) {
                const uint32_t k = uint32_t(anchors.size());
                anchors.push_back({graph.anchor(k, site_id(s)), thread, at});
                it = anchor_index.emplace(key, k).first;
            }
            n = anchors[it->second].node;
        } else if (o.flat) {
            n = graph.child(0, site_id(s), std::numeric_limits<int64_t>::max());
        }
    } catch (...) {
        n = no_node;
        ++failures.no_memory;
    }
    push_frame(s, n, b, true);
}

void thread_state::enter_throttled_slow(timemory_site* s, const record_options& o) noexcept {
    const uint32_t parent = recording_parent();
    uint32_t n = no_node;
    if (parent != no_node && stack.size() < o.max_depth) {
        constexpr int64_t later = std::numeric_limits<int64_t>::max();
        try {
            n = o.flat ? graph.child(0, site_id(s), later) : graph.child(parent, site_id(s), later);
        } catch (...) {
            ++failures.no_memory;
        }
    } else if (stack.size() >= o.max_depth) {
        ++failures.past_max_depth;
    }
    if (n != no_node) {
        if (!graph.at(n).throttled) {
            graph.record_baseline(n);
            graph.at(n).sample_tick = next_sample_distance(o);
        }
        node& nd = graph.at(n);
        if (o.throttle_sample > 0 && --nd.sample_tick == 0) {
            nd.sample_tick = next_sample_distance(o);
            graph.note_sample(n);
            enter(s, *bundle_, o); // this call is a sample: timed
            return;
        }
    }
    if (!stack.push_back(frame{s, n, untimed_start})) ++failures.no_memory;
}

void thread_state::close_top(const bundle& b, const record_options& o, int64_t stop_ticks,
                             const int64_t* stop, bool suspended) noexcept {
    const frame& f = stack.back();
    if (f.start == untimed_start) {
        // A throttled call: counted, its time estimated at report time.
        if (f.node < detached_node) {
            node& nd = graph.at(f.node);
            if (!suspended) nd.unmeasured += 1;
            settle_segment(nd, f, suspended);
        }
    } else if (f.node < detached_node) {
        node& nd = graph.at(f.node);
        if (!suspended) nd.count += 1;
        settle_segment(nd, f, suspended);
        nd.ticks += stop_ticks - f.start;
        if (f.start < nd.first_ticks) nd.first_ticks = f.start;
        running_stat* st = graph.stats(f.node);
        if (b.wall_only) {
            if (suspended)
                st[0].pending += stop_ticks - f.start;
            else
                st[0].finish(stop_ticks - f.start);
        } else {
            b.record(&starts[(stack.size() - 1) * size_t(field_count)], stop, st, suspended);
        }
        if (__builtin_expect(nd.count == o.throttle_count, 0)) {
            if (b.wall_only) nd.ticks = st[0].sum; // the fast path keeps no ticks
            consider_throttling(f.site, nd, o);
        }
    }
    stack.pop_back();
}

// Decided once per node, when it reaches the count: short functions stop being timed
// (their calls are still counted, and their time estimated from the timed ones) so they
// cannot dominate the overhead. Integer arithmetic: no floating-point flag is raised.
void thread_state::consider_throttling(timemory_site* s, const node& nd,
                                       const record_options& o) noexcept {
    const __int128 limit = static_cast<__int128>(o.throttle_ticks) * nd.count;
    if (static_cast<__int128>(nd.ticks) < limit &&
        (site_flags(s) & TIMEMORY_SITE_LANG_MASK) != TIMEMORY_LANG_REGION)
        __atomic_fetch_or(&s->flags, uint32_t(TIMEMORY_SITE_THROTTLED), __ATOMIC_RELAXED);
}

void thread_state::exit(timemory_site* s, const bundle& b, const record_options& o,
                        int64_t stop_ticks, const int64_t* stop) noexcept {
    if (__builtin_expect(stack.empty() || stack.back().site != s, 0)) {
        // Find the innermost open frame of `s`. Frames above it were skipped by an
        // exception or longjmp: close them now, at this exit's time, so that the tree
        // keeps its shape and their time is not lost.
        size_t i = stack.size();
        while (i > 0 && stack[i - 1].site != s)
            --i;
        if (i == 0) {
            failures.unmatched += 1;
            return;
        }
        while (stack.size() > i) {
            close_top(b, o, stop_ticks, stop);
            failures.reconciled += 1;
        }
    }
    close_top(b, o, stop_ticks, stop);
}

void thread_state::suspend(timemory_site* s, const bundle& b, const record_options& o,
                           int64_t stop_ticks, const int64_t* stop) noexcept {
    if (stack.empty() || stack.back().site != s) {
        // Not the innermost frame: treat like an exit, which reconciles or ignores it.
        exit(s, b, o, stop_ticks, stop);
        return;
    }
    close_top(b, o, stop_ticks, stop, /*suspended=*/true);
}

void thread_state::unwind_to(timemory_site* s, const bundle& b, const record_options& o) noexcept {
    if (stack.empty() || stack.back().site == s) return;
    size_t i = stack.size();
    while (i > 0 && stack[i - 1].site != s)
        --i;
    if (i == 0) return;
    int64_t snap[field_count] = {};
    read_sources(b.sources, snap);
    const int64_t ticks = b.wall_only ? wall_ticks() : snap[static_cast<int>(field::wall_ticks)];
    while (stack.size() > i) {
        close_top(b, o, ticks, snap);
        failures.reconciled += 1;
    }
}

void thread_state::close_all(const bundle& b, const record_options& o) noexcept {
    if (stack.empty()) return;
    int64_t snap[field_count] = {};
    read_sources(b.sources, snap);
    const int64_t ticks = b.wall_only ? wall_ticks() : snap[static_cast<int>(field::wall_ticks)];
    failures.closed_at_end += stack.size();
    while (!stack.empty())
        close_top(b, o, ticks, snap);
}

void thread_state::add_open_frames(call_graph& copy, const bundle& b, int64_t now_ticks,
                                   const int64_t* now, uint64_t read) const noexcept {
    int64_t stop[field_count];
    for (size_t i = 0; i < stack.size(); ++i) {
        const frame& f = stack[i];
        if (f.node >= detached_node || f.node >= copy.size()) continue;
        node& nd = copy.at(f.node);
        settle_segment(nd, f, false);
        if (f.start == untimed_start) {
            nd.unmeasured += 1;
            continue;
        }
        nd.count += 1;
        nd.ticks += now_ticks - f.start;
        if (f.start < nd.first_ticks) nd.first_ticks = f.start;
        running_stat* st = copy.stats(f.node);
        if (b.wall_only) {
            st[0].finish(now_ticks - f.start);
            continue;
        }
        const int64_t* start = &starts[i * size_t(field_count)];
        for (int k = 0; k < field_count; ++k)
            stop[k] = (read >> k) & 1 ? now[k] : start[k];
        b.record(start, stop, st);
    }
}

bool has_unsettled(const call_graph& g, const bundle& b) noexcept {
    for (uint32_t i = 1; i < g.size(); ++i) {
        if (g.at(i).inflight > 0) return true;
        for (size_t c = 0; c < b.size(); ++c)
            if (g.stats(i)[c].pending != 0) return true;
    }
    return false;
}

void settle_in_flight(call_graph& g, const bundle& b) noexcept {
    for (uint32_t i = 1; i < g.size(); ++i) {
        node& nd = g.at(i);
        running_stat* st = g.stats(i);
        bool pending = false;
        for (size_t c = 0; c < b.size() && !pending; ++c)
            pending = st[c].pending != 0;
        // Segments left pending with no call in flight here were resumed under this node
        // from another caller and never ended under it: one call here, as any call that
        // ran under a function (else a report would drop their time into the caller's).
        const uint64_t k = nd.inflight > 0 ? nd.inflight : (pending ? 1 : 0);
        if (k == 0) continue;
        nd.count += k;
        nd.inflight = 0;
        for (size_t c = 0; c < b.size(); ++c) {
            running_stat& s = st[c];
            const value_kind how = b.comps[c]->how;
            if (how == value_kind::one) {
                for (uint64_t j = 0; j < k; ++j)
                    s.add(1);
            } else if (how != value_kind::absolute) {
                // The calls' segments were pooled: each in-flight call gets an equal share.
                const int64_t share = s.pending / int64_t(k);
                for (uint64_t j = 0; j < k; ++j)
                    s.add(j == 0 ? s.pending - share * int64_t(k - 1) : share);
            }
            s.pending = 0;
        }
    }
}

void thread_state::forget() noexcept {
    graph.clear();
    anchors.clear();
    anchor_index.clear();
    for (auto& f : stack)
        if (f.node != no_node) f.node = detached_node;
}

} // namespace timemory::rt
