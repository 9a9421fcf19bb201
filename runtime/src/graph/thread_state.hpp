// What one thread records: its call graph and its shadow stack of open regions.
// Only the owning thread touches it while it runs; the runtime reads it at finalize.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

#include "components/fields.hpp"
#include "graph/bundle.hpp"
#include "graph/call_graph.hpp"
#include "timemory/site.h"

namespace timemory::rt {

/// Recording options fixed at initialisation, copied so the hot path reads plain fields.
struct record_options {
    bool flat = false;
    bool timeline = false;
    uint32_t max_depth = 65535;
    uint64_t throttle_count = 10000; ///< 0: never throttle
    double throttle_ticks = 0;       ///< THROTTLE_VALUE converted to wall ticks
};

/// One open region. `node` is no_node when it is open but not recorded (past max depth).
struct frame {
    timemory_site* site;
    uint32_t node;
    int64_t start; ///< wall ticks (fast path); generic bundles keep snapshots in `starts`
};

/// Failures counted on the hot path and reported once at finalize.
struct failure_counts {
    uint64_t reconciled = 0; ///< frames closed because an outer region exited first
    uint64_t unmatched = 0;  ///< exits with no matching open region (ignored)
    uint64_t closed_at_end = 0; ///< regions still open at thread exit or finalize
};

class thread_state {
public:
    thread_state(uint32_t index, const bundle& b);

    /// Opens a frame for a registered, enabled site; reads the clocks last.
    void enter(timemory_site* s, const bundle& b, const record_options& o) noexcept;
    /// Closes the frame of `s` with readings `stop` (wall ticks or a snapshot), which the
    /// caller took first thing.
    void exit(timemory_site* s, const bundle& b, const record_options& o, int64_t stop_ticks,
              const int64_t* stop) noexcept;
    /// Counts a call of a throttled site without timing it.
    void enter_throttled(timemory_site* s, const record_options& o) noexcept;
    /// The exit matching enter_throttled; false when the exit belongs to a timed frame.
    bool exit_throttled(timemory_site* s) noexcept;
    /// Closes the frames above the innermost frame of `s` (see timemory_unwind_to).
    void unwind_to(timemory_site* s, const bundle& b, const record_options& o) noexcept;
    /// Closes every open frame with fresh readings (thread exit, finalize).
    void close_all(const bundle& b, const record_options& o) noexcept;
    /// Forgets the graph and marks open frames unrecorded (fork child, reset).
    void forget() noexcept;

    call_graph graph;
    std::vector<frame> stack;
    std::vector<int64_t> starts; ///< field_count readings per open frame (generic bundles)
    bool busy = false;           ///< re-entrancy guard: the runtime never measures itself
    uint32_t index;              ///< 0 for the first thread seen, in attach order
    pid_t tid = 0;
    int parent_thread = -1;      ///< thread that created this one, -1 if unknown
    uint32_t parent_node = 0;    ///< node open in the parent when it created this thread
    bool finished = false;
    failure_counts failures;
    /// Per site id: throttled calls now in flight (so a recursive throttled call's exit is
    /// not mistaken for the exit of a timed outer frame of the same site).
    std::vector<uint32_t> untimed_open;

private:
    uint32_t recording_parent() const noexcept;
    void close_top(const bundle& b, const record_options& o, int64_t stop_ticks,
                   const int64_t* stop) noexcept;
};

} // namespace timemory::rt
