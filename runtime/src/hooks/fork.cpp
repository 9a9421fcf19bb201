#include <pthread.h>
#include <unistd.h>

#include <atomic>

#include "base/log.hpp"
#include "hooks/hooks.hpp"
#include "runtime/runtime.hpp"

namespace timemory::rt {

namespace {
// Every lock of the runtime is held across fork(), so that none is copied into the child
// held by a thread that does not exist there. The order is the one the runtime takes them
// in (the runtime's lock before the message lock; region names alone). The thread that is
// initialising the runtime already holds the runtime's lock (a library it initialises may
// fork): it is neither taken nor released then.
bool g_took_runtime_lock = false;

void before_fork() {
    runtime& r = rt_state();
    ++t_locks_held; // see runtime_lock
    g_took_runtime_lock = !initializing_here();
    if (g_took_runtime_lock) r.mutex.lock();
    r.names_mutex.lock();
    log_mutex().lock();
}

void release_locks() {
    runtime& r = rt_state();
    log_mutex().unlock();
    r.names_mutex.unlock();
    if (g_took_runtime_lock) r.mutex.unlock();
    --t_locks_held;
}

void in_parent() {
    release_locks();
}

void in_child() {
    runtime& r = rt_state();
    release_locks();
    // Only the forking thread exists in the child. Its frames stay on the stack (their
    // exits still come) but record nothing: the parent already owns that data.
    r.owner_pid.store(int(getpid()));
    thread_state* self = t_state;
    // The other threads do not exist here; their states stay reachable (not leaked), out
    // of the list of threads.
    for (thread_state* t : r.threads)
        if (t && t != self) r.retired.push_back(t);
    r.threads.clear();
    r.live_children.assign(1, 0);
    r.finished.clear(); // the parent's finished threads are the parent's data
    r.folded_failures = failure_counts{};
    g_unrecorded.inside_runtime.store(0);
    g_unrecorded.unnamed.store(0);
    g_unrecorded.no_memory.store(0);
    if (self) {
        self->forget();
        self->index = 0;
        self->parent_thread = -1;
        self->failures = failure_counts{};
        self->tid = static_cast<pid_t>(gettid());
        r.threads.push_back(self);
    }
    open_proc_files(); // /proc/self/* opened by the parent still describe the parent
}

std::atomic<bool> g_installed{false};

// When the library loads, not when the runtime starts: start-up holds the runtime's lock
// for milliseconds (settings, clock calibration), and a fork from another thread meanwhile
// must wait for it rather than copy it held into the child.
__attribute__((constructor)) void install_fork_handlers_at_load() {
    install_fork_handlers();
}
} // namespace

void install_fork_handlers() {
    if (!g_installed.exchange(true)) pthread_atfork(before_fork, in_parent, in_child);
}

} // namespace timemory::rt
