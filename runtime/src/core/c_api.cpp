// The C entry points. timemory_enter/timemory_exit are the hot path: one flag test, a
// thread-local pointer, plain stores into thread-owned memory; no locks, no strings.
#include "core/clock.hpp"
#include "core/host_state.hpp"
#include "core/runtime.hpp"
#include "timemory/timemory.h"

using namespace timemory::rt;

#define TM_LIKELY(x) __builtin_expect(!!(x), 1)
#define TM_UNLIKELY(x) __builtin_expect(!!(x), 0)

namespace {

constexpr uint32_t skip_flags = TIMEMORY_SITE_DISABLED | TIMEMORY_SITE_THROTTLED;

// The calling thread is inside the runtime while this lives: the re-entrancy guard, and
// what finalize waits on before reading this thread's state. Plain stores and compiler
// barriers only; finalize pairs them with a process-wide barrier (quiesce_threads).
class busy_scope {
public:
    explicit busy_scope(thread_state* ts) noexcept : ts_(ts) {
        ts_->busy = true;
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
    }
    ~busy_scope() {
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        ts_->busy = false;
    }
    busy_scope(const busy_scope&) = delete;
    busy_scope& operator=(const busy_scope&) = delete;

private:
    thread_state* ts_;
};

// The slow part of enter: first call of the process, of the thread, or of the site.
__attribute__((noinline)) void enter_slow(timemory_site* s) noexcept {
    errno_guard keep_errno; // start-up looks for config files that may not exist
    runtime& r = rt_state();
    thread_state* ts = t_state;
    if (ts && ts->busy) return; // inside the runtime
    if (!ts && !(ts = attach_thread())) return;
    busy_scope guard(ts);
    if (!r.recording.load()) return;
    if (s->id == 0 && !register_site(s)) return;
    const uint32_t flags = s->flags;
    if (flags & TIMEMORY_SITE_DISABLED) return;
    if (flags & TIMEMORY_SITE_THROTTLED)
        ts->enter_throttled(s, r.options);
    else
        ts->enter(s, r.comps, r.options);
}

// The exit (or suspension) of a site that is disabled or throttled: usually nothing to do.
__attribute__((noinline)) bool exit_is_untimed(timemory_site* s, thread_state* ts,
                                               bool suspended = false) noexcept {
    if (s->flags & TIMEMORY_SITE_DISABLED) return true;
    return ts->exit_throttled(s, suspended);
}

} // namespace

extern "C" {

void timemory_enter(timemory_site* s) {
    runtime& r = rt_state();
    thread_state* ts = t_state;
    if (TM_LIKELY(ts && !ts->busy)) {
        busy_scope guard(ts);
        if (TM_LIKELY(r.recording.load(std::memory_order_relaxed) && s->id != 0)) {
            const uint32_t skip = s->flags & skip_flags;
            if (TM_LIKELY(skip == 0)) {
                if (TM_LIKELY(r.comps.wall_only) && ts->try_enter_fast(s, r.options)) return;
                errno_guard keep_errno; // system calls of other sources; allocation
                ts->enter(s, r.comps, r.options);
            } else if (skip == TIMEMORY_SITE_THROTTLED) {
                ts->enter_throttled(s, r.options);
            }
            return;
        }
        if (!r.recording.load(std::memory_order_relaxed)) return; // disabled or finished
    } else if (ts || r.state.load(std::memory_order_relaxed) > int(run_state::running)) {
        return; // inside the runtime, or finished
    }
    // First call of the process, of this thread or of this site (the guard above is gone:
    // enter_slow takes its own).
    enter_slow(s);
}

void timemory_exit(timemory_site* s) {
    runtime& r = rt_state();
    thread_state* ts = t_state;
    if (TM_UNLIKELY(!ts || ts->busy)) return;
    busy_scope guard(ts);
    // Exits are honoured while disabled so that regions opened before still close.
    if (TM_UNLIKELY(r.state.load(std::memory_order_relaxed) != int(run_state::running))) return;
    if (TM_LIKELY(r.comps.wall_only)) {
        // An untimed (throttled) call needs no clock; the two loads and a branch this puts
        // before the clock read are all that is charged to a timed call.
        if (TM_UNLIKELY((s->flags & skip_flags) && exit_is_untimed(s, ts))) return;
        const int64_t t1 = wall_ticks(); // clock first: the bookkeeping below is not charged
        if (TM_LIKELY(ts->try_exit_fast(s, t1, r.options))) return;
        ts->exit(s, r.comps, r.options, t1, nullptr);
        return;
    }
    // Several sources (system calls, some of them): not read for an untimed exit.
    if (TM_UNLIKELY((s->flags & skip_flags) && exit_is_untimed(s, ts))) return;
    errno_guard keep_errno;
    int64_t snap[field_count];
    read_sources(r.comps.sources, snap);
    ts->exit(s, r.comps, r.options, snap[static_cast<int>(field::wall_ticks)], snap);
}

void timemory_suspend(timemory_site* s) {
    runtime& r = rt_state();
    thread_state* ts = t_state;
    if (!ts || ts->busy) return;
    busy_scope guard(ts);
    if (r.state.load(std::memory_order_relaxed) != int(run_state::running)) return;
    if ((s->flags & skip_flags) && exit_is_untimed(s, ts, /*suspended=*/true)) return;
    errno_guard keep_errno;
    int64_t snap[field_count];
    read_sources(r.comps.sources, snap);
    ts->suspend(s, r.comps, r.options, snap[static_cast<int>(field::wall_ticks)], snap);
}

void timemory_unwind_to(timemory_site* s) {
    runtime& r = rt_state();
    thread_state* ts = t_state;
    if (!ts || ts->busy) return;
    busy_scope guard(ts);
    if (r.state.load(std::memory_order_relaxed) != int(run_state::running)) return;
    ts->unwind_to(s, r.comps, r.options);
}

void timemory_init(int argc, char** argv) {
    runtime& r = rt_state();
    if (argc > 0 && argv) {
        std::lock_guard<std::mutex> lk(r.mutex);
        r.argv.assign(argv, argv + argc);
    }
    ensure_initialized();
}

void timemory_finalize(void) {
    ensure_initialized(); // finalize before any region still writes (empty) reports
    finalize();
}

void timemory_push_region(const char* name) {
    if (!rt_state().recording.load(std::memory_order_relaxed) && !ensure_initialized()) return;
    timemory_enter(region_site(name));
}

void timemory_pop_region(const char* name) {
    if (rt_state().state.load(std::memory_order_relaxed) != int(run_state::running)) return;
    timemory_exit(region_site(name));
}

void timemory_set_enabled(bool enabled) {
    ensure_initialized();
    rt_state().enabled.store(enabled);
    update_recording();
}

bool timemory_is_enabled(void) {
    ensure_initialized();
    return rt_state().recording.load();
}

} // extern "C"
