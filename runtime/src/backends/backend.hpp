// Optional measurement backends: one interface for what PAPI, CUPTI and OMPT add to
// the runtime, so the core never names one.
//
// A backend lives in its own folder, src/<name>/, with
//   <name>_catalog.cpp   always built: its components (described also where the build
//                        lacks it, so a user learns why) and <name>_settings.inc;
//   its implementation   built when its library was found; it defines the backend object
//                        `<name>_backend` with the functions below.
// The build generates the list (backends/backend_list.cpp.in): the compiled backends, and
// for the others their components and the reason they are missing. More backends can be
// registered before start-up (register_backend), which is how the tests add one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "components/component.hpp"
#include "timemory/timemory.hpp"

namespace timemory::rt {

/// Counting outside the call graph (timemory::hardware_counters), for a backend that can.
struct counter_api {
    /// A session counting `events` on the calling thread; throws std::runtime_error naming
    /// the event that cannot be counted, or why the backend is unavailable.
    void* (*open)(const std::vector<std::string>& events);
    void (*close)(void* session) noexcept;
    void (*start)(void* session);
    /// Adds the counts since start to the totals.
    void (*stop)(void* session);
    std::vector<long long> (*totals)(const void* session);
    /// Every event the backend knows here, and its parts' states ("name: enabled" ...).
    std::vector<hardware_event> (*events)();
    std::vector<std::string> (*states)();
    /// The events the call graph counts (empty before start-up or when none).
    std::vector<std::string> (*in_use)();
};

struct backend {
    const char* name; ///< its folder's name, e.g. "papi"
    /// Its catalog entries: groups whose `backend` is `name` (always available).
    std::vector<component> (*components)();
    /// Non-null: the build lacks it, and this says why (the other functions are null).
    const char* missing = nullptr;

    /// Whether it can measure here; `why` names what is missing. Lazy: called when one of
    /// its components is asked for (or listed), it may load the backend's library then.
    bool (*available)(std::string* why) = nullptr;
    /// The catalog indices of the values group `group` stands for; may start collection
    /// that is not a snapshot value (and return none).
    std::vector<int> (*expand)(const component& group) = nullptr;
    /// Reads the calling thread's counters into out[0 ..) (fields counter_first..), for
    /// the values its expand added there; null when it has none. On the hot path. One
    /// backend per process owns the counter fields (the first whose group was expanded).
    void (*read)(int64_t* out) noexcept = nullptr;
    /// A thread that recorded exits: releases what the backend holds for it. Must be
    /// cheap and load nothing when the backend was never used.
    void (*thread_exit)() noexcept = nullptr;
    /// At finalize: a report of its own (e.g. a graph of GPU activity) into `out`, written
    /// as its own set of files; false when it has none.
    bool (*own_report)(result& out) = nullptr;
    /// Counting outside the call graph; null when it offers none.
    const counter_api* counters = nullptr;
    /// At finalize, before the reports: stops its callbacks, says once what it could not
    /// do (e.g. OpenMP without OMPT). Null: nothing.
    void (*at_finalize)() noexcept = nullptr;
};

/// A group component of backend `backend` (id and label `id`), for its catalog file.
inline component backend_group(const char* backend, const char* id, const char* description,
                               unit_kind units) {
    component g{id, id, description, units, value_kind::group};
    g.backend = backend;
    return g;
}

/// Every backend known: the compiled ones, the missing ones, then those registered.
const std::vector<const backend*>& backends();

/// The backend called `name`, or null.
const backend* find_backend(const char* name);

/// Adds a backend (before start-up: its components join the catalog when the catalog is
/// first built). The object must outlive the process's use of the runtime.
void register_backend(const backend* b);

/// Calls every compiled backend's thread_exit (a thread that recorded ends).
void backends_thread_exit() noexcept;

/// Calls every compiled backend's at_finalize.
void backends_at_finalize() noexcept;

/// Makes `b` the backend whose read fills the counter fields (the first one only).
void claim_counters(const backend* b) noexcept;

/// Reads the counters of the backend that owns them (source src_counters).
void backends_read(int64_t* counters) noexcept;

} // namespace timemory::rt
