// A component: one quantity measured at region entry and exit.
//
// Components do not read the system themselves. Each names the raw fields it needs from a
// snapshot (see fields.hpp); a bundle reads each needed source once per entry/exit and
// every component derives its value from the two snapshots. So four rusage-based
// components cost one getrusage call, not four.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "components/fields.hpp"

namespace timemory::rt {

enum class unit_kind { time, memory, count, percent };
/// "time", "memory", "count" or "percent": the kind as reports and the APIs name it.
const char* unit_kind_name(unit_kind k) noexcept;

enum class value_kind {
    delta,    ///< stop[a] - start[a]
    delta2,   ///< (stop[a] - start[a]) + (stop[b] - start[b])
    ratio,    ///< 100 * (delta of a, plus b if given) / delta of monotonic ns
    absolute, ///< stop[a]: a level, not a change
    one,      ///< 1 per call
    group     ///< not a value: stands for the values its backend's expand returns
};

struct component {
    const char* id;          ///< e.g. "wall_clock"
    const char* label;       ///< e.g. "wall" (file names, METRIC column)
    const char* description; ///< one line, as in the reference documents
    unit_kind units;
    value_kind how;
    field a = field::none;
    field b = field::none;
    bool tsc_scaled = false; ///< value is in wall ticks; multiply by ns_per_tick to report
    /// Set on the values of a multi-valued component (e.g. one PAPI event of papi_vector):
    /// the id of the group they are reported under, as one set of files.
    const char* group = nullptr;
    /// The optional backend that provides it (backends/backend.hpp), by name; nullptr for
    /// the core's own. Its availability is the backend's; a group expands through it.
    const char* backend = nullptr;

    /// Bitmask of sources this component reads.
    unsigned sources() const;
    /// Whether this machine can provide it; when not, `why` says why.
    bool available(std::string* why = nullptr) const;
};

/// Every component this build knows, in a fixed order (the index is the component id),
/// followed by the values groups added at start-up. A deque: entries never move.
const std::deque<component>& catalog();

/// Appends a value of a group (called while the runtime initialises); returns its index.
int add_component(const component& c);

/// Index in catalog() of the component called `id` (exact or label match, any case), or -1.
int find_component(const std::string& id);

/// Up to three catalog ids closest to `id` by edit distance, for "did you mean" messages.
std::vector<std::string> closest_components(const std::string& id);

/// Parses a comma/space separated list. Unknown names give one warning each naming the
/// closest valid ids; unavailable ones a warning with the reason; duplicates are dropped.
/// Groups are replaced by the values they expand to. Returns the catalog indices in list
/// order; falls back to wall_clock when none is left.
std::vector<int> parse_component_list(const std::string& list);

} // namespace timemory::rt
