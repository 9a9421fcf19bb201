// The C entry points. timemory_enter/timemory_exit are the hot path: one flag test, a
// thread-local pointer, plain stores into thread-owned memory; no locks, no strings.
#include <dlfcn.h>

#include "base/clock.hpp"
#include "base/host_state.hpp"
#include "hooks/hooks.hpp"
#include "runtime/runtime.hpp"
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
    explicit busy_scope(thread_state* ts) noexcept : ts_(ts) { ts_->set_busy(); }
    ~busy_scope() { ts_->clear_busy(); }
    busy_scope(const busy_scope&) = delete;
    busy_scope& operator=(const busy_scope&) = delete;

private:
    thread_state* ts_;
};

// A call that came while its thread was inside the runtime: a signal handler interrupted
// the thread there. Its state is half-updated, or a lock it holds would be taken again:
// the call is not recorded, only counted (reported once at finalize).
__attribute__((noinline, cold)) void not_recorded_inside_runtime() noexcept {
    g_unrecorded.inside_runtime.fetch_add(1, std::memory_order_relaxed);
}

// The start of the process or of a thread, the first call of a site: with errno kept (a
// config file that does not exist, a failed system call must not show in the program).
// What this allocates comes from pages, not malloc (base/pages.hpp), and its locks are never
// taken by a thread that holds them already (runtime_lock): it is safe in a signal handler,
// except starting the runtime, which waits for a call outside one.
__attribute__((noinline)) thread_state* enter_setup(timemory_site* s, thread_state* ts) noexcept {
    errno_guard keep_errno;
    runtime& r = rt_state();
    if (t_locks_held > 0 || initializing_here()) {
        not_recorded_inside_runtime();
        return nullptr;
    }
    if (!ts) {
        const int state = r.state.load(std::memory_order_relaxed);
        if (state > int(run_state::running)) return nullptr;
        if (state == int(run_state::uninitialized) && maybe_in_signal_handler()) {
            not_recorded_inside_runtime();
            return nullptr;
        }
        if (!(ts = attach_thread())) {
            // Running, yet no state for this thread: no memory for it; the call is lost.
            if (r.state.load() == int(run_state::running) && r.recording.load())
                g_unrecorded.no_memory.fetch_add(1, std::memory_order_relaxed);
            return nullptr;
        }
    }
    if (site_id(s) == 0) {
        busy_scope guard(ts);
        if (!r.recording.load()) return nullptr;
        if (!register_site(s)) {
            // No memory for the site's copy (a site of an unknown layout is counted apart).
            if (s->abi == TIMEMORY_SITE_ABI)
                g_unrecorded.no_memory.fetch_add(1, std::memory_order_relaxed);
            return nullptr;
        }
    }
    return ts;
}

// Everything enter does beyond its inline fast paths: a cache miss, a throttled site's
// sample, several components, and the set-up above. Separate (and called last) so that
// the fast paths need no saved registers.
__attribute__((noinline)) void enter_other(timemory_site* s) noexcept {
    runtime& r = rt_state();
    thread_state* ts = t_state;
    if (ts && ts->busy) return not_recorded_inside_runtime();
    if ((!ts || site_id(s) == 0) && !(ts = enter_setup(s, ts))) return;
    busy_scope guard(ts);
    if (!r.recording.load(std::memory_order_relaxed)) return;
    const uint32_t flags = site_flags(s);
    if (flags & TIMEMORY_SITE_DISABLED) return;
    if (r.comps.wall_only) {
        if (flags & TIMEMORY_SITE_THROTTLED)
            ts->enter_throttled(s, r.options);
        else
            ts->enter(s, r.comps, r.options, /*stamp=*/false);
        // A timed call that came this way (a new node, a sample of a throttled function)
        // starts its clock now, as the inline path does: the longer way back must not be
        // charged to it, or samples would stand for more than the calls they represent.
        if (!ts->stack.empty()) {
            frame& f = ts->stack.back();
            if (f.site == s && f.start != untimed_start) f.start = wall_ticks();
        }
    } else if (flags & TIMEMORY_SITE_THROTTLED) {
        ts->enter_throttled(s, r.options);
    } else {
        errno_guard keep_errno; // the other sources are system calls
        ts->enter(s, r.comps, r.options);
    }
}

// Everything exit (or suspend, with `suspended`) does beyond its inline fast paths.
__attribute__((noinline)) void exit_other(timemory_site* s, bool suspended) noexcept {
    runtime& r = rt_state();
    thread_state* ts = t_state;
    if (!ts || ts->busy) return;
    busy_scope guard(ts);
    // Exits are honoured while disabled so that regions opened before still close.
    if (r.state.load(std::memory_order_relaxed) != int(run_state::running)) return;
    const uint32_t skip = site_flags(s) & skip_flags;
    if (skip & TIMEMORY_SITE_DISABLED) return;
    // An untimed (throttled) call needs no clock, nor the other sources (system calls).
    if (skip && ts->exit_throttled(s, suspended)) return;
    errno_guard keep_errno;
    int64_t snap[field_count];
    read_sources(r.comps.sources, snap);
    const int64_t t1 = snap[static_cast<int>(field::wall_ticks)];
    if (suspended)
        ts->suspend(s, r.comps, r.options, t1, snap);
    else
        ts->exit(s, r.comps, r.options, t1, snap);
}

} // namespace

namespace timemory::rt {

bool current_place(uint32_t* thread, uint32_t* node) noexcept {
    thread_state* ts = t_state;
    if (!ts || ts->busy || !rt_state().recording.load(std::memory_order_relaxed)) return false;
    const uint32_t n = ts->stack.empty() ? 0 : ts->stack.back().node;
    if (n >= detached_node) return false;
    *thread = ts->index;
    *node = n;
    return true;
}

void enter_anchored(timemory_site* s, uint32_t thread, uint32_t node) noexcept {
    runtime& r = rt_state();
    thread_state* ts = t_state;
    if (ts && ts->busy) return; // inside the runtime
    if ((!ts || site_id(s) == 0) && !(ts = enter_setup(s, ts))) return;
    busy_scope guard(ts);
    if (!r.recording.load(std::memory_order_relaxed) || (site_flags(s) & TIMEMORY_SITE_DISABLED))
        return;
    errno_guard keep_errno;
    ts->enter_anchored(s, thread, node, r.comps, r.options);
}

} // namespace timemory::rt

extern "C" {

// The inline fast paths (wall_clock alone, a known child of the open frame, or a throttled
// call) touch only this thread's state. `busy` is set before anything is read: finalize
// waits for it to clear once it has stopped the runtime (see busy_scope).
void timemory_enter(timemory_site* s) {
    runtime& r = rt_state();
    thread_state* ts = t_state;
    if (TM_LIKELY(ts && !ts->busy)) {
        ts->set_busy();
        bool done = false;
        if (TM_LIKELY(r.recording.load(std::memory_order_relaxed) && site_id(s) != 0 &&
                      r.comps.wall_only)) {
            const uint32_t skip = site_flags(s) & skip_flags;
            if (TM_LIKELY(skip == 0))
                done = ts->try_enter_fast(s, r.options);
            else if (skip == TIMEMORY_SITE_THROTTLED)
                done = ts->try_enter_throttled_fast(s, r.options);
            else
                done = true; // disabled
        } else if (!r.recording.load(std::memory_order_relaxed)) {
            done = r.state.load(std::memory_order_relaxed) != int(run_state::uninitialized);
        }
        ts->clear_busy();
        if (TM_LIKELY(done)) return;
    } else if (ts) {
        return not_recorded_inside_runtime();
    }
    enter_other(s);
}

void timemory_exit(timemory_site* s) {
    runtime& r = rt_state();
    thread_state* ts = t_state;
    if (TM_UNLIKELY(!ts || ts->busy)) return;
    ts->set_busy();
    bool done = false;
    if (TM_LIKELY(r.state.load(std::memory_order_relaxed) == int(run_state::running) &&
                  r.comps.wall_only && g_wall.use_tsc)) {
        // What comes before the clock read is all that is charged to a timed call: a load
        // and a branch; for a throttled site, a look at the top frame (inline: a sampled
        // call must cost what the untimed calls it stands for cost).
        const uint32_t skip = site_flags(s) & skip_flags;
        if (TM_LIKELY(skip == 0)) {
            const int64_t t1 = tsc_ticks(); // clock first: bookkeeping is not charged
            done = ts->try_exit_fast(s, t1, r.options);
        } else if (skip == TIMEMORY_SITE_THROTTLED) {
            done = ts->exit_throttled(s);
            if (!done) {
                const int64_t t1 = tsc_ticks();
                done = ts->try_exit_fast(s, t1, r.options);
            }
        } else {
            done = true; // disabled
        }
    }
    ts->clear_busy();
    if (TM_LIKELY(done)) return;
    exit_other(s, false);
}

void timemory_suspend(timemory_site* s) {
    exit_other(s, true);
}

void timemory_resume(timemory_site* s) {
    thread_state* ts = t_state;
    const size_t before = ts ? ts->stack.size() : 0;
    timemory_enter(s);
    // Marked after the fact: the enter paths stay as they are. The frame is the one just
    // opened only when the stack grew by one (disabled, busy or stopped: nothing opened).
    ts = t_state;
    if (ts && !ts->busy && ts->stack.size() == before + 1 && ts->stack.back().site == s)
        ts->stack.back().resumed = 1;
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
        runtime_lock lk(r.mutex);
        r.argv.assign(argv, argv + argc);
    }
    ensure_initialized();
}

void timemory_module_loaded(void) {
    // An extension module in a running Python: timemory.profiler starts the runtime.
    using is_initialized_fn = int (*)();
    auto py = reinterpret_cast<is_initialized_fn>(dlsym(RTLD_DEFAULT, "Py_IsInitialized"));
    if (py && py()) return;
    ensure_initialized();
}

void timemory_finalize(void) {
    ensure_initialized(); // finalize before any region still writes (empty) reports
    finalize();
}

timemory_site* timemory_intern_site(const char* name, const char* linkage, const char* file,
                                    unsigned line, unsigned language) {
    return intern_site(name, linkage, file, line, language);
}

void timemory_push_region(const char* name) {
    // Called in a signal handler that interrupted this thread inside the runtime: naming the
    // region takes a lock the thread may hold.
    if (t_locks_held > 0) return not_recorded_inside_runtime();
    if (!rt_state().recording.load(std::memory_order_relaxed) && !ensure_initialized()) return;
    timemory_enter(region_site(name));
}

void timemory_pop_region(const char* name) {
    if (rt_state().state.load(std::memory_order_relaxed) != int(run_state::running) ||
        t_locks_held > 0)
        return;
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
