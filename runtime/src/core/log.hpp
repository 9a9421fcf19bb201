// One-line diagnostics from the runtime. Never throws; safe before initialisation.
#pragma once

#include <string>

namespace timemory::rt {

/// Prints "[timemory] warning: <msg>" on stderr unless TIMEMORY_VERBOSE < 0.
void warn(const std::string& msg);
/// Like warn, but only the first time `key` is seen in this process.
void warn_once(const std::string& key, const std::string& msg);
/// Prints "[timemory] <msg>" on stderr when TIMEMORY_VERBOSE >= level.
void info(int level, const std::string& msg);

} // namespace timemory::rt
