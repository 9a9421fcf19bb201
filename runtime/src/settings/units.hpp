// Display units for time and memory values.
#pragma once

#include <string>

namespace timemory::rt {

struct unit {
    std::string name; ///< canonical display name, e.g. "sec", "MB"
    double value = 1; ///< raw units (ns or bytes) per display unit
};

/// Looks up a time unit (ns, us, ms, sec/s, min, hr; any case). "auto" (chosen per table
/// column) is sec here, for data files. False when unknown.
bool find_timing_unit(const std::string& text, unit* out);
/// Looks up a memory unit (B, KB, MB, GB, KiB, MiB, GiB; any case). "auto" is MB here.
/// False when unknown.
bool find_memory_unit(const std::string& text, unit* out);
/// True for "auto" (any case): text tables choose the unit of each column.
bool is_auto_unit(const std::string& text);
/// The unit of `kind` ("time": ns..sec; "memory": B..GB) in which `raw` (ns or bytes) reads
/// as a number from 1 to 1000, or the largest unit beyond.
unit readable_unit(const std::string& kind, double raw);

} // namespace timemory::rt
