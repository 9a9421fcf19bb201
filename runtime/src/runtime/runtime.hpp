// Process-wide state of the runtime: initialisation, the registry of sites and threads,
// finalisation. Everything here is off the hot path except the inline accessors.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/regex.hpp"
#include "graph/bundle.hpp"
#include "graph/thread_state.hpp"
#include "runtime/overhead.hpp"
#include "settings/settings.hpp"
#include "timemory/site.h"
#include "timemory/timemory.hpp"

namespace timemory::rt {

/// In this order: enter treats every state after `running` as "finished".
enum class run_state : int { uninitialized = 0, running = 1, finalizing = 2, finalized = 3 };

struct runtime {
    std::atomic<int> state{0};          ///< run_state
    std::atomic<bool> recording{false}; ///< running && enabled: the one flag enter checks
    std::atomic<bool> enabled{true};
    bundle comps;
    record_options options;
    int root_pid = 0;  ///< pid that initialised (differs in a fork child)
    /// The process this state belongs to: root_pid, then a fork child's own pid (set by
    /// the fork handler). A vfork child (no fork handlers) shares the state, not the pid.
    std::atomic<int> owner_pid{0};
    int root_ppid = 0; ///< its parent's pid
    std::vector<std::string> argv;
    int64_t start_time_ns = 0; ///< CLOCK_REALTIME at initialisation

    std::mutex names_mutex; ///< guards the registry of interned sites (intern_site)
    std::mutex mutex;       ///< guards everything below
    // What a site's or a thread's first call adds to: in pages, not from malloc (the call
    // may come from a signal handler that interrupted malloc; base/pages.hpp).
    page_vector<timemory_site*> sites;  ///< index = site id; [0] unused
    page_vector<thread_state*> threads; ///< index = thread_state::index; null once folded
    std::vector<thread_state*> retired; ///< threads of the parent, in a fork child
    /// Per thread index: threads it started that have not exited (a thread is folded into
    /// `finished` only when none is left: their graphs attach under its nodes).
    page_vector<uint32_t> live_children;
    /// Graphs of finished threads, by the thread that started them (key -1: unknown; they
    /// go under the main thread's root): each anchor node (call_graph::anchor) stands for
    /// the node the threads were started from. Memory grows with call paths, not threads.
    /// (A few entries: one per thread that started threads; a vector keeps the runtime
    /// constant-initialized.)
    struct finished_threads {
        int parent;           ///< the thread that started them (-1: unknown)
        call_graph graph;     ///< anchors under the root, their subtrees below
        std::vector<int> tid; ///< per node: the thread that first recorded it
    };
    std::vector<finished_threads> finished;
    /// The graph of threads finished under thread `p` (created when missing).
    finished_threads& finished_of(int p);
    failure_counts folded_failures; ///< of the folded threads
    uint64_t bad_abi_sites = 0;
    std::shared_ptr<name_filter> include_filter, exclude_filter; ///< TIMEMORY_INCLUDE/EXCLUDE
    /// Settings given through the API before start-up: applied over the environment.
    std::vector<std::pair<std::string, std::string>> overrides;
    overhead_costs overhead; ///< the hooks' own cost (TIMEMORY_COMPENSATE)
};

/// Calls the entry points could not record where they were made, counted from any context
/// (lock-free atomics: signal handlers included); reported once at finalize
/// (failure_counts::inside_runtime, unnamed_no_memory).
struct unrecorded_calls {
    std::atomic<uint64_t> inside_runtime{0};
    std::atomic<uint64_t> unnamed{0};
    std::atomic<uint64_t> no_memory{0}; ///< no memory for the thread's state or the site's copy
};
extern constinit unrecorded_calls g_unrecorded;

/// How many of the runtime's locks (runtime::mutex, names_mutex) the calling thread holds.
/// A signal handler that interrupts the thread then must not take them again: the entry
/// points drop such a call (counted) instead of waiting on their own thread forever.
extern __thread int t_locks_held __attribute__((tls_model("initial-exec")));

/// Holds `m` (runtime::mutex or names_mutex) with t_locks_held raised around it: how every
/// thread takes the runtime's locks.
class runtime_lock {
public:
    explicit runtime_lock(std::mutex& m) : m_(m) {
        ++t_locks_held; // before: a signal right after locking must see it
        try {
            m_.lock();
        } catch (...) {
            --t_locks_held;
            throw;
        }
    }
    ~runtime_lock() {
        m_.unlock();
        --t_locks_held;
    }
    runtime_lock(const runtime_lock&) = delete;
    runtime_lock& operator=(const runtime_lock&) = delete;

private:
    std::mutex& m_;
};

/// Holds a T that is constant-initialised (usable from any constructor or exit handler)
/// and never destroyed (threads and signal handlers may outlive static destructors).
template <typename T>
union never_destroyed {
    T value;
    constexpr never_destroyed() : value() {}
    ~never_destroyed() {}
};

extern constinit never_destroyed<runtime> g_runtime;
inline runtime& rt_state() {
    return g_runtime.value;
}

/// The calling thread's state (nullptr until it first records). `__thread`, not
/// thread_local: no initialisation wrapper, one %fs-relative load.
extern __thread thread_state* t_state __attribute__((tls_model("initial-exec")));

/// Initialises the runtime once; true when it is running afterwards.
bool ensure_initialized() noexcept;
/// True on the thread that is initialising the runtime now (it holds `mutex`).
bool initializing_here() noexcept;
/// Creates and registers the calling thread's state; nullptr when not running.
thread_state* attach_thread() noexcept;
/// Assigns `s` the id of the runtime's own copy of it (interned: equal sites share one id;
/// runtime filters applied once). False when the site is unusable.
bool register_site(timemory_site* s) noexcept;
/// The site for a region name (created on first use, shared by equal names).
timemory_site* region_site(const char* name) noexcept;
/// The one place sites are made at run time (timemory_intern_site): one per distinct
/// (name, linkage, file, line, language), strings copied, never freed.
timemory_site* intern_site(const char* name, const char* linkage, const char* file, unsigned line,
                           unsigned language) noexcept;
/// The one site every interned name shares when there was no memory to copy it.
timemory_site* no_memory_site() noexcept;
/// Where the calling thread records now: its index and its innermost recorded node.
/// False when it records nothing (not running, no state, past max depth).
bool current_place(uint32_t* thread, uint32_t* node) noexcept;
/// Enters `s` on the calling thread as a stand-in for node `node` of thread `thread`
/// (thread_state::enter_anchored); timemory_exit(s) closes it.
void enter_anchored(timemory_site* s, uint32_t thread, uint32_t node) noexcept;
/// The site for id `id`, or nullptr. Takes the registry lock.
const timemory_site* site_by_id(uint32_t id);

/// Stops recording, closes the calling thread's frames, counts the frames other threads
/// still have open as ending now, writes reports (if AUTO_OUTPUT). Once per process.
void finalize() noexcept;

/// Waits until no thread other than the caller is inside an entry point (they all see
/// the runtime stopped from then on). A thread that does not come out within a bound is
/// marked `unreadable`. Call after leaving the running state.
void quiesce_threads() noexcept;

/// The settings the runtime starts with: defaults, then the config file and the
/// environment (bad values warned about), then values set through the API before start.
settings::values
starting_settings(const std::vector<std::pair<std::string, std::string>>& overrides);

/// Set by timemory::set_finalize_handler (the MPI library).
extern std::atomic<bool (*)()> g_finalize_handler;

/// Set by the fatal-signal handler: write this process's data locally (no collective
/// step, which would wait for processes that may be gone), with its pid in file names.
extern std::atomic<bool> g_finalizing_on_signal;

/// Copies the settings the hot path and site registration read into `r`.
void apply_settings(runtime& r, const settings::values& v);

/// Re-derives the recording flag from state and enabled.
void update_recording() noexcept;

/// Sum of every thread's failure counts.
failure_counts total_failures();

/// A short name for this program, for the output folder.
std::string program_name();

/// The pid the reports are written for: getpid(), except in the process the fatal-signal
/// handler forks to write them, where it is the crashing process's.
int report_pid() noexcept;
/// Makes report_pid() return `pid` (the signal handler's writer process).
void set_report_pid(int pid) noexcept;

} // namespace timemory::rt
