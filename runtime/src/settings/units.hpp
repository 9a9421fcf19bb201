// Display units for time and memory values.
#pragma once

#include <string>

namespace timemory::rt {

struct unit {
    std::string name; ///< canonical display name, e.g. "sec", "MB"
    double value = 1; ///< raw units (ns or bytes) per display unit
};

/// Looks up a time unit (ns, us, ms, sec/s, min, hr; any case). False when unknown.
bool find_timing_unit(const std::string& text, unit* out);
/// Looks up a memory unit (B, KB, MB, GB, KiB, MiB, GiB; any case). False when unknown.
bool find_memory_unit(const std::string& text, unit* out);

} // namespace timemory::rt
