// One-line diagnostics from the runtime. Never throws (not even out of memory); safe
// before initialisation.
#pragma once

#include <mutex>
#include <string>

namespace timemory::rt {

/// Prints "[timemory] warning: <msg>" on stderr unless TIMEMORY_VERBOSE < 0.
void warn(const std::string& msg) noexcept;
/// Like warn, for when memory may be gone: "[timemory] warning: <msg><detail>" written as
/// it is, nothing allocated, no lock taken.
void warn_plain(const char* msg, const char* detail = "") noexcept;
/// Like warn, but only the first time `key` is seen in this process.
void warn_once(const std::string& key, const std::string& msg) noexcept;
/// Prints "[timemory] <msg>" on stderr when TIMEMORY_VERBOSE >= level.
void info(int level, const std::string& msg) noexcept;
/// The one line a process says at exit (where its reports are): printed when
/// TIMEMORY_VERBOSE >= 1, or when it is 0 (the default) and stderr is a terminal. A
/// program whose stderr is captured (a test harness comparing output, a log) sees nothing.
void notice(const std::string& msg) noexcept;
/// Whether notice() prints now. Async-signal-safe (an atomic load and isatty).
bool notices_shown() noexcept;
/// The verbosity the messages follow (TIMEMORY_VERBOSE): set by the runtime whenever it
/// applies settings; 0 before.
void set_verbosity(long level) noexcept;
long verbosity() noexcept;
/// The lock that keeps messages whole (fork handlers hold it across fork()).
std::mutex& log_mutex();

} // namespace timemory::rt
