// PAPI hardware and software-defined counters behind papi_vector and papi_array.
//
// The events come from TIMEMORY_PAPI_EVENTS and are checked once, when the runtime starts:
// each usable event becomes one value of the group (one field of the snapshot, one column
// of stats per node); unusable ones are reported by name with PAPI's reason and dropped.
// Each thread counts in its own event sets (one per PAPI component, as PAPI requires),
// created the first time the thread reads them. Built when PAPI was found; the runtime
// reaches it through its backend object (papi_backend.cpp), never by name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "components/component.hpp"

namespace timemory::rt::papi {

/// The papi_array capacity (the reference's papi_array<8>).
constexpr int array_size = 8;

/// Whether PAPI is compiled in and its library initialises here; `why` says why not.
bool available(std::string* why);

/// The catalog indices of the values of `group` (papi_vector or papi_array), one per
/// usable event of TIMEMORY_PAPI_EVENTS, created on the first call.
std::vector<int> expand(const component& group);

/// The usable events, in field order (empty before expand or when PAPI is unavailable).
const std::vector<std::string>& events();

/// Reads the calling thread's counters into out[0 .. events().size()). Sets up the
/// thread's event sets on the first call; on failure leaves `out` untouched.
void read(int64_t* out) noexcept;

/// Stops and releases the calling thread's event sets (thread exit).
void thread_exit() noexcept;

/// One event PAPI knows on this machine.
struct event_description {
    std::string name, description, component;
    bool available = false; ///< can be counted here (its component is enabled)
};

/// Preset events and the native events of every PAPI component (enabled or not, with
/// presets first). Empty when PAPI is unavailable.
std::vector<event_description> list_events();

/// PAPI's components with their state: "name: enabled" or "name: disabled (reason)".
std::vector<std::string> component_states();

/// The value of /proc/sys/kernel/perf_event_paranoid (which limits CPU counters for
/// non-root users), or "unreadable".
std::string paranoid_level();

/// Counts `names` in the calling thread outside the call graph (timemory::hardware_counters).
class counter_set {
public:
    /// Throws std::runtime_error naming the event and PAPI's error when one cannot be
    /// counted, or saying why PAPI is unavailable.
    explicit counter_set(const std::vector<std::string>& names);
    ~counter_set();
    counter_set(const counter_set&) = delete;
    counter_set& operator=(const counter_set&) = delete;
    void start();
    /// Adds the counts since start() to the totals.
    void stop();
    const std::vector<long long>& totals() const { return totals_; }

private:
    struct set {
        int handle;
        std::vector<size_t> index; ///< position of each of its events in totals_
    };
    std::vector<set> sets_;
    std::vector<long long> totals_;
    bool running_ = false;
};

} // namespace timemory::rt::papi
