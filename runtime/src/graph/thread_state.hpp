// What one thread records: its call graph and its shadow stack of open regions.
// Only the owning thread touches it while it runs; the runtime reads it at finalize.
#pragma once

#include <pthread.h>
#include <sys/types.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <unordered_map>
#include <vector>

#include "base/clock.hpp"
#include "base/pages.hpp"
#include "components/fields.hpp"
#include "graph/bundle.hpp"
#include "graph/call_graph.hpp"
#include "timemory/site.h"

namespace timemory::rt {

/// A site's id and flags as the hot path reads them: another thread may be registering or
/// throttling the site at the same moment (it stores them atomically), so they are read
/// atomically too; relaxed, which on x86-64 is the plain load it was.
inline uint32_t site_id(const timemory_site* s) noexcept {
    return __atomic_load_n(&s->id, __ATOMIC_RELAXED);
}
inline uint32_t site_flags(const timemory_site* s) noexcept {
    return __atomic_load_n(&s->flags, __ATOMIC_RELAXED);
}

#if defined(__SANITIZE_THREAD__)
#define TIMEMORY_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TIMEMORY_TSAN 1
#endif
#endif

class thread_state;

/// Recording options fixed at initialisation, copied so the hot path reads plain fields.
struct record_options {
    bool flat = false;
    bool timeline = false;
    bool simple = true; ///< neither flat nor timeline: the inline fast path applies
    uint32_t max_depth = 65535;
    uint64_t throttle_count = 10000; ///< 0: never throttle
    int64_t throttle_ticks = 0;      ///< THROTTLE_VALUE converted to wall ticks
    uint32_t throttle_sample = 64;   ///< a throttled site times one call in this many, on
                                     ///< average, at random (0: none)
};

/// `frame::start` of a call of a throttled site: open (its callees nest under it) but not
/// timed, so its exit reads no clock.
constexpr int64_t untimed_start = std::numeric_limits<int64_t>::min();

/// One open region. `node` is no_node when it is open but not recorded (past max depth).
struct frame {
    frame() = default;
    frame(timemory_site* s, uint32_t n, int64_t t) noexcept : site(s), node(n), start(t) {}

    timemory_site* site = nullptr;
    uint32_t node = 0;
    /// Opened by timemory_resume: a later segment of a call already counted as in flight
    /// (a generator or coroutine resumed), so its suspension adds no call and its end
    /// finishes that call. In the padding after `node`: a frame stays 24 bytes.
    uint32_t resumed = 0;
    int64_t start = 0; ///< wall ticks (fast path), or untimed_start; generic bundles keep
                       ///< snapshots in `starts`
};

/// A call that suspends (a generator's yield) is counted once, however many segments it
/// runs in: its first suspension puts it in flight at its node; the end of a resumed
/// segment takes it out again and counts it like any call. A call never resumed (a
/// generator closed early or dropped while suspended) stays in flight: reports count it
/// with the time it ran (settle_in_flight).
inline void settle_segment(node& nd, const frame& f, bool suspended) noexcept {
    if (suspended) {
        if (!f.resumed) nd.inflight += 1;
    } else if (f.resumed && nd.inflight > 0) {
        nd.inflight -= 1;
    }
}

/// Counts the calls still in flight in `g` (a copy for a report, or the graph of a thread
/// that ended) as finished with the time they ran, and left-over suspended segments of a
/// call resumed from another caller as one call where they ran: what a report shows of
/// generators closed early or still suspended.
void settle_in_flight(call_graph& g, const bundle& b) noexcept;
/// Whether settle_in_flight would change `g` (a call in flight, or a segment left pending).
bool has_unsettled(const call_graph& g, const bundle& b) noexcept;

/// The shadow stack: a plain array whose push and pop inline to a few instructions (a
/// std::vector's push_back does not, for its reallocation path). Grows by doubling, in pages
/// (base/pages.hpp).
class frame_stack {
public:
    frame_stack() {
        if (!grow(256)) throw std::bad_alloc();
    }
    ~frame_stack() { pages_free(data_, cap_ * sizeof(frame)); }
    frame_stack(const frame_stack&) = delete;
    frame_stack& operator=(const frame_stack&) = delete;
    size_t size() const noexcept { return size_; }
    size_t capacity() const noexcept { return cap_; }
    bool empty() const noexcept { return size_ == 0; }
    frame& back() noexcept { return data_[size_ - 1]; }
    const frame& back() const noexcept { return data_[size_ - 1]; }
    frame& operator[](size_t i) noexcept { return data_[i]; }
    const frame& operator[](size_t i) const noexcept { return data_[i]; }
    frame* begin() noexcept { return data_; }
    frame* end() noexcept { return data_ + size_; }
    /// False (nothing pushed) when the stack is full and there is no memory to grow it.
    bool push_back(const frame& f) noexcept {
        if (__builtin_expect(size_ == cap_, 0) && !grow(cap_ * 2)) return false;
        data_[size_++] = f;
        return true;
    }
    /// push_back when size() < capacity() is known: no growth path (the fast paths must
    /// not call out).
    void push_unchecked(const frame& f) noexcept { data_[size_++] = f; }
    void pop_back() noexcept { --size_; }

private:
    bool grow(size_t cap) noexcept;
    frame* data_ = nullptr;
    size_t size_ = 0, cap_ = 0;
};

/// Failures counted on the hot path and reported once at finalize.
struct failure_counts {
    uint64_t reconciled = 0;     ///< frames closed because an outer region exited first
    uint64_t unmatched = 0;      ///< exits with no matching open region (ignored)
    uint64_t closed_at_end = 0;  ///< regions still open at thread exit or finalize
    uint64_t no_memory = 0;      ///< calls not recorded: no memory for their node or frame
    uint64_t past_max_depth = 0; ///< calls not recorded: deeper than TIMEMORY_MAX_DEPTH
    /// Calls not recorded: made while their thread was inside timemory (a signal handler
    /// that interrupted it), or before the runtime could start safely there. Process-wide.
    uint64_t inside_runtime = 0;
    /// Calls recorded under the shared "<no memory for region name>" site: no memory was
    /// left to keep their names. Process-wide.
    uint64_t unnamed_no_memory = 0;

    failure_counts& operator+=(const failure_counts& o) noexcept {
        reconciled += o.reconciled;
        unmatched += o.unmatched;
        closed_at_end += o.closed_at_end;
        no_memory += o.no_memory;
        past_max_depth += o.past_max_depth;
        inside_runtime += o.inside_runtime;
        unnamed_no_memory += o.unnamed_no_memory;
        return *this;
    }
};

class thread_state {
public:
    /// `b` must outlive the thread state (the runtime's bundle does).
    thread_state(uint32_t index, const bundle& b);

    // A thread's first call makes its state: in pages, as everything the entry points make.
    static void* operator new(size_t size) {
        void* p = pages_alloc(size);
        if (!p) throw std::bad_alloc();
        return p;
    }
    static void operator delete(void* p, size_t size) noexcept { pages_free(p, size); }

    /// The inline fast path of enter for wall_clock alone: a known child of the open
    /// frame, room on the stack. False (nothing done) when the general path is needed.
    bool try_enter_fast(timemory_site* s, const record_options& o) noexcept {
        const size_t depth = stack.size();
        if (!o.simple || !g_wall.use_tsc || depth == stack.capacity() || depth >= o.max_depth)
            return false;
        const uint32_t parent = depth ? stack[depth - 1].node : 0;
        if (parent >= detached_node) return false;
        const uint32_t n = graph.cached_child(parent, site_id(s));
        if (n == no_node) return false;
        stack.push_unchecked(frame{s, n, tsc_ticks()}); // clock last
        return true;
    }

    /// The inline fast path of exit for wall_clock alone: `s` is the innermost frame.
    bool try_exit_fast(timemory_site* s, int64_t stop_ticks, const record_options& o) noexcept {
        if (stack.empty()) return false;
        const frame& f = stack.back();
        if (f.site != s || f.node >= detached_node || f.resumed) return false;
        node& nd = graph.at(f.node);
        // The call that decides on throttling takes the general path: a call out of here
        // would cost every exit saved registers.
        if (__builtin_expect(nd.count + 1 == o.throttle_count, 0)) return false;
        const int64_t d = stop_ticks - f.start;
        nd.count += 1;
        if (f.start < nd.first_ticks) nd.first_ticks = f.start;
        graph.stats(f.node)[0].finish(d);
        stack.pop_back();
        return true;
    }

    /// Opens a frame for a registered, enabled site; reads the clocks last. With `stamp`
    /// false (wall_clock alone) the frame's start is left for the caller to set, as the
    /// last thing it does.
    void enter(timemory_site* s, const bundle& b, const record_options& o,
               bool stamp = true) noexcept;
    /// Closes the frame of `s` with readings `stop` (wall ticks or a snapshot), which the
    /// caller took first thing.
    void exit(timemory_site* s, const bundle& b, const record_options& o, int64_t stop_ticks,
              const int64_t* stop) noexcept;
    /// Closes the frame of `s` without ending the call (see timemory_suspend).
    void suspend(timemory_site* s, const bundle& b, const record_options& o, int64_t stop_ticks,
                 const int64_t* stop) noexcept;

    /// The inline fast path of enter_throttled: an untimed frame for a known child of the
    /// open frame when this call is not a sample. False (nothing done) otherwise.
    bool try_enter_throttled_fast(timemory_site* s, const record_options& o) noexcept {
        const size_t depth = stack.size();
        if (!o.simple || depth == stack.capacity() || depth >= o.max_depth) return false;
        const uint32_t parent = depth ? stack[depth - 1].node : 0;
        if (parent >= detached_node) return false;
        const uint32_t n = graph.cached_child(parent, site_id(s));
        if (n == no_node) return false;
        node& nd = graph.at(n);
        if (!nd.throttled) return false; // the first throttled call records the baseline
        if (o.throttle_sample != 0 && nd.sample_tick <= 1) return false; // a sample is due
        nd.sample_tick -= 1;
        stack.push_unchecked(frame{s, n, untimed_start});
        return true;
    }

    /// Opens a frame for a call of a throttled site: untimed (no clock, but the frame is on
    /// the stack, so the call keeps its node and its callees nest under it), except one
    /// call in `throttle_sample`, which is timed, so that the estimate of the untimed calls
    /// follows the whole run rather than its first calls.
    void enter_throttled(timemory_site* s, const record_options& o) noexcept {
        const size_t depth = stack.size();
        const uint32_t parent = depth ? stack[depth - 1].node : 0;
        if (__builtin_expect(o.simple && parent < detached_node && depth < stack.capacity() &&
                                 depth < o.max_depth,
                             1)) {
            const node& p = graph.at(parent);
            if (p.cache_site == site_id(s)) {
                node& nd = graph.at(p.cache_node);
                if (__builtin_expect(!nd.throttled, 0)) {
                    graph.record_baseline(p.cache_node);
                    nd.sample_tick = next_sample_distance(o);
                }
                if (__builtin_expect(o.throttle_sample == 0 || --nd.sample_tick != 0, 1)) {
                    stack.push_unchecked(frame{s, p.cache_node, untimed_start});
                    return;
                }
                nd.sample_tick = next_sample_distance(o);
                graph.note_sample(p.cache_node);
                enter(s, *bundle_, o); // this call is a sample: timed
                return;
            }
        }
        enter_throttled_slow(s, o);
    }
    /// The exit matching enter_throttled: closes the innermost frame when it is an untimed
    /// frame of `s` (counting the call unless `suspended`: a generator's yield is not the
    /// end of its call). False (nothing done) when the exit belongs to a timed frame.
    bool exit_throttled(timemory_site* s, bool suspended = false) noexcept {
        if (stack.empty()) return false;
        const frame& f = stack.back();
        if (f.site != s || f.start != untimed_start) return false;
        if (f.node < detached_node) {
            node& nd = graph.at(f.node);
            if (!suspended) nd.unmeasured += 1;
            settle_segment(nd, f, suspended);
        }
        stack.pop_back();
        return true;
    }
    /// Opens a frame of `s` whose node stands for node `at` of thread `thread` (an OpenMP
    /// worker's share of a parallel region the thread `thread` opened there): what this
    /// thread records until the frame closes is placed under that node in the merged
    /// reports, apart from that thread's own calls. Closed by exit(s) like any frame.
    void enter_anchored(timemory_site* s, uint32_t thread, uint32_t at, const bundle& b,
                        const record_options& o) noexcept;
    /// Closes the frames above the innermost frame of `s` (see timemory_unwind_to).
    void unwind_to(timemory_site* s, const bundle& b, const record_options& o) noexcept;
    /// Closes every open frame with fresh readings (thread exit, finalize).
    void close_all(const bundle& b, const record_options& o) noexcept;
    /// Adds the open frames to `copy` (a copy of `graph`) as calls ending now, leaving this
    /// thread's state untouched: how the report counts the calls another thread still has
    /// open at exit. `now` holds readings for this thread; fields whose bit in `read` is
    /// clear could not be read from outside it and count as unchanged since the call began.
    void add_open_frames(call_graph& copy, const bundle& b, int64_t now_ticks, const int64_t* now,
                         uint64_t read) const noexcept;
    /// Forgets the graph and marks open frames unrecorded (fork child, reset).
    void forget() noexcept;

    call_graph graph;
    frame_stack stack;
    page_vector<int64_t> starts; ///< field_count readings per open frame (generic bundles)
    /// Set by the entry points (c_api.cpp) while they work on this thread's state: the
    /// re-entrancy guard (the runtime never measures itself), and what finalize waits on
    /// before it reads this thread's graph from another thread.
    bool busy = false;
    uint32_t index; ///< 0 for the first thread seen, in attach order
    pid_t tid = 0;
    int parent_thread = -1;   ///< thread that created this one, -1 if unknown
    uint32_t parent_node = 0; ///< node open in the parent when it created this thread
    bool finished = false;
    failure_counts failures;
    pthread_t handle{}; ///< for reading this thread's CPU clock from another thread
    /// Nodes of this graph that stand for a node of another thread (enter_anchored): each
    /// one's subtree is placed there when the threads are merged.
    struct anchor_target {
        uint32_t node;   ///< the anchor, a child of this graph's root
        uint32_t thread; ///< index of the thread whose node it stands for
        uint32_t at;     ///< that node
    };
    std::vector<anchor_target> anchors;
    std::unordered_map<uint64_t, uint32_t> anchor_index; ///< (thread << 32 | at) → anchors[]
    /// Still inside the runtime when finalize gave up waiting for it (stopped by a debugger,
    /// or interrupted by a signal inside an entry point): its graph cannot be read safely.
    bool unreadable = false;

    /// Entering the runtime on this thread: set before anything is read. A plain store and a
    /// compiler barrier (finalize pairs them with a process-wide barrier, membarrier, that
    /// ThreadSanitizer cannot see: under it, a sequentially consistent store instead).
    void set_busy() noexcept {
#ifdef TIMEMORY_TSAN
        __atomic_store_n(&busy, true, __ATOMIC_SEQ_CST);
#else
        __atomic_store_n(&busy, true, __ATOMIC_RELAXED);
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
    }
    /// Leaving it: everything written before is visible to finalize once it reads false.
    void clear_busy() noexcept {
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        __atomic_store_n(&busy, false, __ATOMIC_RELEASE);
    }

private:
    /// Calls until a throttled node's next sample: random, uniform over 1 .. 2K-1 (mean K =
    /// throttle_sample), so that samples cannot lock onto a periodic pattern of calls (a
    /// function called with 10 kinds of arguments in turn, sampled every 64th call, would
    /// only ever see the even ones).
    uint32_t next_sample_distance(const record_options& o) noexcept {
        rng_ ^= rng_ << 13;
        rng_ ^= rng_ >> 7;
        rng_ ^= rng_ << 17;
        const uint64_t span = 2 * uint64_t(o.throttle_sample) - 1;
        return span ? uint32_t(1 + rng_ % span) : 1;
    }
    uint64_t rng_;         ///< xorshift64 state of next_sample_distance
    const bundle* bundle_; ///< what a sampled call of a throttled site reads
    void enter_throttled_slow(timemory_site* s, const record_options& o) noexcept;
    uint32_t recording_parent() const noexcept;
    static void consider_throttling(timemory_site* s, const node& nd,
                                    const record_options& o) noexcept;
    void push_frame(timemory_site* s, uint32_t n, const bundle& b, bool stamp) noexcept;
    void close_top(const bundle& b, const record_options& o, int64_t stop_ticks,
                   const int64_t* stop, bool suspended = false) noexcept;
};

} // namespace timemory::rt
