// timemory/timemory.hpp: the C++ interface: RAII markers, settings and results.
#ifndef TIMEMORY_TIMEMORY_HPP
#define TIMEMORY_TIMEMORY_HPP

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "timemory/timemory.h"

namespace timemory {

/// Marks the enclosing scope as a region. With a `timemory_site*` (what TIMEMORY_MARKER
/// passes) the hot path takes no string; with a name it looks the name up once.
class scoped_region {
public:
    explicit scoped_region(timemory_site* site) noexcept : site_(site) { timemory_enter(site_); }
    explicit scoped_region(const char* name) noexcept : name_(name) { timemory_push_region(name); }
    ~scoped_region() {
        if (site_)
            timemory_exit(site_);
        else
            timemory_pop_region(name_);
    }
    scoped_region(const scoped_region&) = delete;
    scoped_region& operator=(const scoped_region&) = delete;

private:
    timemory_site* site_ = nullptr;
    const char* name_ = nullptr;
};

/// Summary statistics of one value over a node's calls.
struct stats {
    double sum = 0, mean = 0, min = 0, max = 0, stddev = 0;
};

/// One component of the active bundle, as reported.
struct component_info {
    std::string id;          ///< snake_case id, e.g. "wall_clock"
    std::string label;       ///< short label used in file names, e.g. "wall"
    std::string description; ///< one line
    std::string kind;        ///< "time", "memory", "count" or "percent"
    std::string units;       ///< display units after TIMEMORY_*_UNITS, e.g. "sec"
    double unit_value = 1;   ///< raw units per display unit (ns per sec = 1e9)
    /// Values of a multi-valued component (papi_vector: one per event) carry its id here
    /// and are reported together in one set of files; label is then the value's name
    /// (the event). Empty for single-valued components.
    std::string group;
};

/// One node of the merged call graph. Values are in display units.
struct result_node {
    std::string name, linkage, file;
    unsigned line = 0;
    int language = 0;       ///< timemory_site_language
    bool throttled = false; ///< the function was throttled (counted, no longer timed)
    int64_t parent = -1;    ///< index in result::nodes, -1 for a top-level node
    std::vector<size_t> children;
    int depth = 0;
    uint64_t count = 0; ///< completed calls (timed and untimed)
    /// Calls of a throttled function that were counted but not timed. Their share of the
    /// inclusive values is estimated from the timed calls' mean (see `estimated`).
    uint64_t untimed = 0;
    /// When untimed > 0: per component, the part of inclusive.sum that is estimated
    /// (display units). Empty otherwise.
    std::vector<double> estimated;
    uint64_t hash = 0;         ///< identifies the site (FNV-1a of its linkage name)
    uint64_t rolling_hash = 0; ///< identifies the call path (stable across runs)
    int64_t tid = 0;           ///< thread index (0 = main) that owns the node
    /// How many threads' calls are merged in the node (work of a thread pool's or of an
    /// OpenMP team's workers started at one place: several); 1 for one thread's.
    uint32_t threads = 1;
    int pid = 0;
    int rank = 0;
    double start_ns = 0; ///< first entry, ns since the runtime started
    /// Combined ranks only: the inclusive SUM on each rank where the node exists
    /// (min, max and mean over those ranks), and on how many ranks it exists.
    std::vector<stats> per_rank;
    int ranks = 1;
    std::vector<stats> inclusive; ///< one per component, bundle order
    /// Inclusive minus the inclusive values of the children that ran on the same thread
    /// (`tid`): work of a thread started here ran concurrently and is not subtracted. Only
    /// sum and mean are known; min, max, stddev are NaN.
    std::vector<stats> exclusive;
};

/// The merged graph of every thread at the time of the call, nodes in pre-order.
struct result {
    std::vector<component_info> components;
    std::vector<result_node> nodes;
};

/// True once the runtime has started (first region, timemory_init, or a measurement).
TIMEMORY_API bool initialized();

/// One component this build knows, whether or not it is being collected.
struct component_description {
    std::string id, label, description;
    std::string kind;       ///< "time", "memory", "count" or "percent"
    bool available = false; ///< can be measured on this machine
    std::string unavailable_reason;
};

/// Every component of this build, in a fixed order. With `check_availability` false,
/// `available` and `unavailable_reason` are left empty: nothing optional is loaded (asking
/// whether PAPI or CUDA work means opening their libraries); see component_available().
TIMEMORY_API std::vector<component_description> component_catalog(bool check_availability = true);

/// Whether component `id` can be measured here; `why` says why not (an unknown id too).
TIMEMORY_API bool component_available(const std::string& id, std::string* why = nullptr);

/// The ids of the components being collected (TIMEMORY_COMPONENTS as resolved at start-up).
TIMEMORY_API std::vector<std::string> active_components();

/// Up to three component ids closest to `name`, for error messages.
TIMEMORY_API std::vector<std::string> closest_component_ids(const std::string& name);

/// A stand-alone measurement of one component, outside the call graph: start/stop pairs
/// accumulate (laps), get() returns the total in display units (TIMEMORY_TIMING_UNITS,
/// TIMEMORY_MEMORY_UNITS). Not thread-safe; use one per thread.
class TIMEMORY_API measurement {
public:
    /// Throws std::invalid_argument naming the closest ids when `component` is unknown.
    explicit measurement(const std::string& component);
    void start();       ///< no-op when already started
    void stop();        ///< no-op when not started; adds the lap to the total
    void measure();     ///< replaces the value by a reading now (levels: current RSS, peak RSS)
    void reset();       ///< total and laps back to zero
    double get() const; ///< total, display units
    uint64_t laps() const { return laps_; }
    bool running() const { return running_; }
    const component_description& info() const;
    std::string units() const; ///< display units, e.g. "sec", "MB", "%"
    double unit_value() const; ///< raw units (ns, bytes) per display unit
    /// Adds (sign +1) or subtracts (-1) another measurement of the same component.
    void combine(const measurement& other, int sign);

private:
    static void calibrate_if_needed();
    int comp_;
    std::vector<int64_t> start_;
    int64_t raw_ = 0, num_ = 0, den_ = 0; ///< raw units: integers, like the call graph
    uint64_t laps_ = 0;
    bool running_ = false;
};

/// PAPI events counted in the calling thread outside the call graph: start/stop pairs
/// accumulate, values() returns one total per event (in the order given).
class TIMEMORY_API hardware_counters {
public:
    /// Throws std::runtime_error naming the event and PAPI's error when one cannot be
    /// counted here, or saying why PAPI is unavailable.
    explicit hardware_counters(const std::vector<std::string>& events);
    ~hardware_counters();
    hardware_counters(const hardware_counters&) = delete;
    hardware_counters& operator=(const hardware_counters&) = delete;
    void start();
    void stop();
    const std::vector<std::string>& events() const { return events_; }
    std::vector<long long> values() const;

private:
    std::vector<std::string> events_;
    void* impl_ = nullptr;
};

/// One event PAPI knows on this machine.
struct hardware_event {
    std::string name, description, component;
    bool available = false; ///< can be counted here
};

/// Whether PAPI is built in and initialises here; `why` says why not.
TIMEMORY_API bool hardware_counters_available(std::string* why = nullptr);
/// Preset events, then native events of the enabled PAPI components.
TIMEMORY_API std::vector<hardware_event> hardware_counter_events();
/// PAPI's components: "name: enabled" or "name: disabled (reason)", then the line
/// "/proc/sys/kernel/perf_event_paranoid = N" (above 2, no CPU counters for non-root).
TIMEMORY_API std::vector<std::string> hardware_counter_components();
/// The events papi_vector counts in this run (TIMEMORY_PAPI_EVENTS minus those that
/// cannot be counted); empty before the runtime starts or without papi_vector.
TIMEMORY_API std::vector<std::string> hardware_counter_events_in_use();

/// Installs the fatal-signal handlers now (they write the reports, then let the signal
/// proceed). `signals` empty: the TIMEMORY_ENABLE_SIGNAL_HANDLER set.
TIMEMORY_API void enable_signal_detection(const std::vector<int>& signals = {});

/// Called first (with the signal number) when a fatal signal is caught.
TIMEMORY_API void set_exit_action(void (*action)(int));

/// Merges all threads' graphs as they are now (open regions are not included) into a
/// result. Thread-safe with respect to other threads entering and leaving regions only
/// once they have stopped measuring; meant for the end of a program or tests.
TIMEMORY_API result snapshot();

/// Writes every enabled report for the current data into the output folder now
/// (what finalize would write). Returns the folder written to, or "" on failure.
TIMEMORY_API std::string write_reports();

/// A compact binary form of a result (for sending between processes): little-endian,
/// versioned, strings length-prefixed. decode() throws std::runtime_error on a truncated
/// or foreign buffer.
TIMEMORY_API std::string encode(const result& r);
/// encode(snapshot()) with every node labelled MPI rank `rank`, written straight from the
/// call graph: no result is built (it would hold about three times the graph's memory at
/// the end of a large run). What each rank sends to rank 0.
TIMEMORY_API std::string encode_snapshot(int rank = 0);
TIMEMORY_API result decode(const std::string& bytes);

/// The graphs of several processes (index = MPI rank) combined: nodes with the same
/// path across ranks merged, counts and sums added, min and max over all calls.
TIMEMORY_API result combine_ranks(const std::vector<result>& ranks);

/// Writes the reports of several ranks from one process (MPI rank 0): per-rank reports
/// (`|N>` in the tables, one entry per rank in the JSON files) and, with
/// TIMEMORY_COLLAPSE_PROCESSES, the combined graph. Returns the folder or "".
TIMEMORY_API std::string write_reports(const std::vector<result>& ranks);

/// This process's graph, taken once for an MPI job's finalize step, so that the bytes it
/// sends to rank 0 and its own entries of the per-rank files describe the same moment.
/// Holds the merged graph (about the graph's size again with several threads; read in
/// place with one) until destroyed; recording must have stopped.
class TIMEMORY_API rank_report {
public:
    explicit rank_report(int rank);
    ~rank_report();
    rank_report(const rank_report&) = delete;
    rank_report& operator=(const rank_report&) = delete;
    /// What encode_snapshot(rank) would return at that moment.
    std::string encode() const;
    /// Writes this rank's entries of the per-rank files (`<label>.ranks.json`, `.tree.json`,
    /// `.txt`) into `slice_dir`, the folder rank 0 made with make_slice_folder(), so that
    /// every rank formats its own graph at the same time. False when one could not be
    /// written there (rank 0 then formats that entry itself).
    bool write_slices(const std::string& slice_dir) const;

private:
    struct impl;
    std::unique_ptr<impl> p_;
};

/// For MPI rank 0: creates the folder the ranks write their entries of the per-rank files
/// into (in the output folder; every rank must be told its path). "" when no such file is
/// written to disk, or the folder cannot be made: rank 0 then formats every entry itself.
TIMEMORY_API std::string make_slice_folder();

/// write_reports(ranks), with each rank's entries of the per-rank files copied from
/// `slice_dir` where the rank wrote them (rank_report::write_slices), and formatted here
/// where not; the files are the same either way. `ready` is called once, before the
/// first entry is looked for, and returns when every rank has written its entries (an MPI
/// collective: it is called whatever happens, also when no per-rank file is written).
/// The slice folder is removed before this returns.
TIMEMORY_API std::string write_reports(const std::vector<result>& ranks,
                                       const std::string& slice_dir,
                                       const std::function<void()>& ready);

/// Replaces what finalize does after it has stopped recording: instead of writing this
/// process's reports, call `fn` (e.g. gather to MPI rank 0 and write there). `fn` returns
/// false to fall back to writing locally. nullptr restores the default.
TIMEMORY_API void set_finalize_handler(bool (*fn)());

/// Discards every thread's graph (sites stay registered). For tests and for programs
/// that measure phases separately. Threads must not be inside regions.
TIMEMORY_API void reset();

namespace settings {
/// Value of setting `name` (case-insensitive, with or without the TIMEMORY_ prefix) as
/// text; "" with `ok=false` when there is no such setting.
TIMEMORY_API std::string get(const std::string& name, bool* ok = nullptr);
/// Sets setting `name` from text. Returns false and leaves the value unchanged when the
/// name is unknown or the text is not a valid value; `error` then says why. Before the
/// runtime starts, the value also overrides the environment when it starts (so a
/// program can choose its components before the first measurement).
TIMEMORY_API bool set(const std::string& name, const std::string& value,
                      std::string* error = nullptr);
/// Every setting name (lower case, without prefix), in declaration order.
TIMEMORY_API std::vector<std::string> names();
/// Re-reads the TIMEMORY_* environment variables (and the config file they name).
TIMEMORY_API void parse_environment();

/// The declaration of one setting, and its value.
struct description {
    std::string name, env_name, type, default_value, description;
    /// With `with_values`: the value in force; before the runtime starts, the one it will
    /// start with (config file, environment and set() applied: reading them warns about
    /// bad values, as the start will). Empty otherwise.
    std::string value;
};
/// Every setting, in declaration order.
TIMEMORY_API std::vector<description> describe(bool with_values = false);
/// The items of a list setting's text (TIMEMORY_COMPONENTS, TIMEMORY_PAPI_EVENTS, ...):
/// separated by commas, semicolons or white space; empty items dropped.
TIMEMORY_API std::vector<std::string> split_list(const std::string& text);
} // namespace settings

} // namespace timemory

#define TIMEMORY_CONCAT_IMPL(a, b) a##b
#define TIMEMORY_CONCAT(a, b) TIMEMORY_CONCAT_IMPL(a, b)

/// Measures the rest of the enclosing scope as a region called `label` (a string
/// literal). Costs the same as an instrumented function: one static site, no string.
#define TIMEMORY_MARKER(label)                                                                     \
    static timemory_site TIMEMORY_CONCAT(timemory_site_, __LINE__) = {                             \
        0,                                                                                         \
        (uint32_t)TIMEMORY_LANG_REGION | (uint32_t)TIMEMORY_SITE_STATIC,                           \
        label,                                                                                     \
        label,                                                                                     \
        __FILE__,                                                                                  \
        __LINE__,                                                                                  \
        TIMEMORY_SITE_ABI};                                                                        \
    ::timemory::scoped_region TIMEMORY_CONCAT(timemory_marker_, __LINE__)(                         \
        &TIMEMORY_CONCAT(timemory_site_, __LINE__))

#endif // TIMEMORY_TIMEMORY_HPP
