#include "graph/thread_state.hpp"

#include <unistd.h>

#include <limits>

#include "core/clock.hpp"

namespace timemory::rt {

thread_state::thread_state(uint32_t idx, const bundle& b) : graph(b.size()), index(idx) {
    stack.reserve(256);
    if (!b.wall_only) starts.resize(256 * size_t(field_count));
    tid = static_cast<pid_t>(gettid());
}

void thread_state::enter(timemory_site* s, const bundle& b, const record_options& o) noexcept {
    busy = true; // node creation may allocate, and an instrumented allocator would re-enter
    const size_t depth = stack.size();
    uint32_t parent = depth ? stack[depth - 1].node : 0;
    if (parent == detached_node) parent = 0;
    uint32_t n = no_node;
    if (parent != no_node && depth < o.max_depth) {
        // The entry time of a new node is filled in when its first call closes.
        constexpr int64_t later = std::numeric_limits<int64_t>::max();
        if (o.flat) n = graph.child(0, s->id, later);
        else if (o.timeline) n = graph.append(parent, s->id, later);
        else n = graph.child(parent, s->id, later);
    }
    if (b.wall_only) {
        stack.push_back(frame{s, n, wall_ticks()});
    } else {
        if (starts.size() < (depth + 1) * size_t(field_count))
            starts.resize((depth + 1) * 2 * size_t(field_count));
        int64_t* snap = &starts[depth * size_t(field_count)];
        read_sources(b.sources, snap);
        stack.push_back(frame{s, n, snap[static_cast<int>(field::wall_ticks)]});
    }
    busy = false;
}

void thread_state::close_top(const bundle& b, int64_t stop_ticks, const int64_t* stop) noexcept {
    const frame& f = stack.back();
    if (f.node < detached_node) {
        node& nd = graph.at(f.node);
        nd.count += 1;
        if (f.start < nd.first_ticks) nd.first_ticks = f.start;
        running_stat* st = graph.stats(f.node);
        if (b.wall_only) st[0].add(double(stop_ticks - f.start));
        else b.record(&starts[(stack.size() - 1) * size_t(field_count)], stop, st);
    }
    stack.pop_back();
}

void thread_state::exit(timemory_site* s, const bundle& b, int64_t stop_ticks,
                        const int64_t* stop) noexcept {
    if (__builtin_expect(stack.empty() || stack.back().site != s, 0)) {
        // Find the innermost open frame of `s`. Frames above it were skipped by an
        // exception or longjmp: close them now, at this exit's time, so that the tree
        // keeps its shape and their time is not lost.
        size_t i = stack.size();
        while (i > 0 && stack[i - 1].site != s) --i;
        if (i == 0) {
            failures.unmatched += 1;
            return;
        }
        busy = true;
        while (stack.size() > i) {
            close_top(b, stop_ticks, stop);
            failures.reconciled += 1;
        }
        busy = false;
    }
    close_top(b, stop_ticks, stop);
}

void thread_state::close_all(const bundle& b) noexcept {
    if (stack.empty()) return;
    int64_t snap[field_count] = {};
    read_sources(b.sources, snap);
    const int64_t ticks = b.wall_only ? wall_ticks() : snap[static_cast<int>(field::wall_ticks)];
    failures.closed_at_end += stack.size();
    while (!stack.empty()) close_top(b, ticks, snap);
}

void thread_state::forget() noexcept {
    graph.clear();
    for (auto& f : stack)
        if (f.node != no_node) f.node = detached_node;
}

} // namespace timemory::rt
