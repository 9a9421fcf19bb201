// Hooks into the process: fork, fatal signals, thread creation.
#pragma once

#include <cstdint>

namespace timemory::rt {

/// pthread_atfork handlers: a fork child starts with an empty graph and writes its own
/// reports (its pid in the file names); the parent's data is not duplicated.
void install_fork_handlers();

/// Handlers for fatal signals that write the reports, then re-raise the signal.
void install_signal_handlers();

/// For a thread started through the pthread_create wrapper: the creating thread's index
/// and the node open there at creation. Leaves the outputs alone otherwise.
void pending_parent(int* thread, uint32_t* node);

} // namespace timemory::rt
