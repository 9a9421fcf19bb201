#include "core/clock.hpp"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace timemory::rt {

wall_clock_source g_wall;

namespace {
bool invariant_tsc() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("flags", 0) == 0)
            return line.find(" constant_tsc") != std::string::npos &&
                   line.find(" nonstop_tsc") != std::string::npos;
    }
    return false;
}
} // namespace

void calibrate_wall_clock() {
    wall_clock_source w;
#ifdef TIMEMORY_HAVE_TSC
    const char* forced = std::getenv("TIMEMORY_WALL_CLOCK_SOURCE");
    w.use_tsc = forced ? std::strcmp(forced, "tsc") == 0 : invariant_tsc();
#endif
    if (w.use_tsc) {
#ifdef TIMEMORY_HAVE_TSC
        // Bracket each TSC read with monotonic reads and keep the span; 5 ms bounds the
        // error to ~(2 x 30 ns) / 5 ms = 12 ppm, which costs 5 ms of start-up once.
        int64_t m0 = clock_ns(CLOCK_MONOTONIC);
        int64_t t0 = int64_t(__rdtsc());
        int64_t m1 = m0, t1 = t0;
        while (m1 - m0 < 5000000) {
            t1 = int64_t(__rdtsc());
            m1 = clock_ns(CLOCK_MONOTONIC);
        }
        w.ns_per_tick = double(m1 - m0) / double(t1 - t0);
        w.origin_ticks = t1;
        w.origin_mono_ns = m1;
#endif
    } else {
        w.ns_per_tick = 1.0;
        w.origin_ticks = w.origin_mono_ns = clock_ns(CLOCK_MONOTONIC);
    }
    g_wall = w;
}

} // namespace timemory::rt
