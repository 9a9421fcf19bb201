// The raw readings a snapshot holds, grouped by the system source that provides them.
#pragma once

#include <pthread.h>
#include <sys/types.h>

#include <cstdint>

namespace timemory::rt {

enum class field : int {
    none = -1,
    wall_ticks,     // wall clock source (TSC or CLOCK_MONOTONIC)
    mono_ns,        // CLOCK_MONOTONIC (denominator of utilisations)
    mono_raw_ns,    // CLOCK_MONOTONIC_RAW
    boot_ns,        // CLOCK_BOOTTIME (advances while suspended)
    process_cpu_ns, // CLOCK_PROCESS_CPUTIME_ID
    thread_cpu_ns,  // CLOCK_THREAD_CPUTIME_ID
    self_user_ns,   // getrusage(RUSAGE_SELF)
    self_sys_ns,
    self_maxrss_bytes,
    thread_user_ns, // getrusage(RUSAGE_THREAD)
    thread_sys_ns,
    thread_minflt,
    thread_majflt,
    thread_nvcsw,
    thread_nivcsw,
    thread_inblock,
    thread_oublock,
    rss_bytes, // /proc/self/statm
    vm_bytes,
    io_read_bytes, // /proc/self/io
    io_write_bytes,
    counter_first, // a backend's counters (PAPI's TIMEMORY_PAPI_EVENTS), in its order
    counter_last = counter_first + 31,
    count
};

/// The most counters one process counts (fields counter_first..counter_last).
constexpr int max_counters =
    static_cast<int>(field::counter_last) - static_cast<int>(field::counter_first) + 1;

constexpr int field_count = static_cast<int>(field::count);
static_assert(field_count <= 64, "field masks are 64-bit");

enum source_bit : unsigned {
    src_wall = 1u << 0,
    src_mono = 1u << 1,
    src_mono_raw = 1u << 2,
    src_boot = 1u << 3,
    src_process_cpu = 1u << 4,
    src_thread_cpu = 1u << 5,
    src_rusage_self = 1u << 6,
    src_rusage_thread = 1u << 7,
    src_statm = 1u << 8,
    src_proc_io = 1u << 9,
    src_counters = 1u << 10, // the calling thread's counters, read by their backend
};

/// The source that provides `f`.
unsigned source_of(field f);

/// Reads every source in `sources` into `out` (field_count entries). Fields of other
/// sources are left untouched. Failures leave the previous values (counted, not fatal).
void read_sources(unsigned sources, int64_t* out) noexcept;

/// Reads `sources` for another thread of this process (`tid`, `handle`) as far as that can
/// be done from outside it: process-wide sources as read_sources does, its CPU clock through
/// pthread_getcpuclockid, its rusage times, faults and context switches from
/// /proc/self/task/<tid>/. Returns the mask of fields read (bit = field index); the others
/// (block I/O counts, PAPI counters) are left untouched. Not for the hot path.
uint64_t read_sources_of_thread(unsigned sources, pid_t tid, pthread_t handle,
                                int64_t* out) noexcept;

/// Opens (or re-opens after fork) the /proc files read by src_statm and src_proc_io.
void open_proc_files() noexcept;

} // namespace timemory::rt
