// Hooks into the process: fork, fatal signals, thread creation.
#pragma once

#include <cstdint>
#include <vector>

namespace timemory::rt {

/// pthread_atfork handlers: a fork child starts with an empty graph and writes its own
/// reports (its pid in the file names); the parent's data is not duplicated. Installed once,
/// when the library loads (also called at start-up, where a static link skipped that).
void install_fork_handlers();

/// Handlers for fatal signals that write the reports (from a forked copy of the process,
/// waited for at most 10 s), then let the signal take its original action. Never over
/// SIG_IGN, nor over the program's handler for SIGTERM, SIGINT or SIGQUIT; in front of the
/// program's handler for a crash signal, which is called after ours. `signals` empty:
/// SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM, SIGINT, SIGQUIT.
void install_signal_handlers(const std::vector<int>& signals);

/// Whether the calling thread blocks a signal that has a handler: then it most likely runs
/// that handler (a signal is blocked while its handler runs), where the runtime must not
/// start, nor write reports (files, allocation), whatever it interrupted. System calls only.
bool maybe_in_signal_handler() noexcept;

/// (hooks/exec.cpp, wrapping the exec family) Writes the reports before exec replaces the
/// image: finalize, unless this is a vfork child sharing its parent's state, or a likely
/// signal handler.
void before_exec() noexcept;

/// Called with the signal number before the reports are written.
void set_signal_exit_action(void (*action)(int));

/// For a thread started through the pthread_create wrapper: the creating thread's index
/// and the node open there at creation. Leaves the outputs alone otherwise.
void pending_parent(int* thread, uint32_t* node);

} // namespace timemory::rt
