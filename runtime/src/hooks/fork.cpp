#include <pthread.h>
#include <unistd.h>

#include "core/runtime.hpp"
#include "hooks/hooks.hpp"

namespace timemory::rt {

namespace {
void before_fork() {
    rt_state().mutex.lock();
}
void in_parent() {
    rt_state().mutex.unlock();
}

void in_child() {
    runtime& r = rt_state();
    r.mutex.unlock();
    // Only the forking thread exists in the child. Its frames stay on the stack (their
    // exits still come) but record nothing: the parent already owns that data.
    thread_state* self = t_state;
    r.threads.clear();
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
} // namespace

void install_fork_handlers() {
    pthread_atfork(before_fork, in_parent, in_child);
}

} // namespace timemory::rt
