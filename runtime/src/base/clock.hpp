// The clocks read on the hot path. Wall time is the TSC where it is invariant (one
// instruction, ~7 ns here) and CLOCK_MONOTONIC otherwise; ticks become ns at report time.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define TIMEMORY_HAVE_TSC 1
#endif

namespace timemory::rt {

inline int64_t clock_ns(clockid_t id) noexcept {
    timespec ts;
    clock_gettime(id, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

/// Chosen once at start-up by calibrate_wall_clock(); read-only afterwards.
struct wall_clock_source {
    bool use_tsc = false;
    double ns_per_tick = 1.0; ///< 1 when ticks are already ns
    int64_t origin_ticks = 0; ///< ticks at start-up
    int64_t origin_mono_ns = 0;
};
extern wall_clock_source g_wall;

inline int64_t wall_ticks() noexcept {
#ifdef TIMEMORY_HAVE_TSC
    if (__builtin_expect(g_wall.use_tsc, 1)) return int64_t(__rdtsc());
#endif
    return clock_ns(CLOCK_MONOTONIC);
}

/// The TSC alone, for the inline fast paths: they must not call out (a call makes the
/// compiler save registers on every path). Only meaningful when g_wall.use_tsc.
inline int64_t tsc_ticks() noexcept {
#ifdef TIMEMORY_HAVE_TSC
    return int64_t(__rdtsc());
#else
    return 0;
#endif
}

/// Converts a tick reading to ns since start-up.
inline double ticks_to_ns_since_start(int64_t t) noexcept {
    return double(t - g_wall.origin_ticks) * g_wall.ns_per_tick;
}

/// Decides TSC or CLOCK_MONOTONIC (`source`: "auto" uses the TSC when /proc/cpuinfo says
/// it is invariant; "tsc" or "monotonic" force one) and measures ns per tick against
/// CLOCK_MONOTONIC over a few milliseconds.
void calibrate_wall_clock(const std::string& source = "auto");

/// Re-measures ns per tick over the whole run so far (reports call it before converting).
void refine_wall_clock();

} // namespace timemory::rt
