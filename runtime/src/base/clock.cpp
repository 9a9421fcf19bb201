#include "base/clock.hpp"

#include <climits>

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

namespace {
struct sample {
    int64_t ticks;
    int64_t mono_ns;
};

// A TSC reading paired with CLOCK_MONOTONIC. The pair is only as good as the gap between
// the two monotonic reads around it: a preemption there (common on a loaded VM) would
// skew the calibration, so keep the tightest of a few attempts.
sample tight_sample() {
    sample best{0, 0};
    int64_t best_gap = INT64_MAX;
#ifdef TIMEMORY_HAVE_TSC
    for (int i = 0; i < 16 && best_gap > 200; ++i) {
        int64_t a = clock_ns(CLOCK_MONOTONIC);
        int64_t t = int64_t(__rdtsc());
        int64_t b = clock_ns(CLOCK_MONOTONIC);
        if (b - a < best_gap) {
            best_gap = b - a;
            best = sample{t, a + (b - a) / 2};
        }
    }
#endif
    return best;
}
} // namespace

void calibrate_wall_clock(const std::string& source) {
    wall_clock_source w;
#ifdef TIMEMORY_HAVE_TSC
    w.use_tsc = source == "tsc" || (source == "auto" && invariant_tsc());
#else
    (void)source;
#endif
    if (w.use_tsc) {
        // 5 ms between two tight samples bounds the error to about (2 x 200 ns) / 5 ms;
        // refine_wall_clock() later shrinks it further over the whole run.
        sample s0 = tight_sample();
        while (clock_ns(CLOCK_MONOTONIC) - s0.mono_ns < 5000000) {
        }
        sample s1 = tight_sample();
        w.ns_per_tick = double(s1.mono_ns - s0.mono_ns) / double(s1.ticks - s0.ticks);
        w.origin_ticks = s0.ticks;
        w.origin_mono_ns = s0.mono_ns;
    } else {
        w.ns_per_tick = 1.0;
        w.origin_ticks = w.origin_mono_ns = clock_ns(CLOCK_MONOTONIC);
    }
    g_wall = w;
}

void refine_wall_clock() {
    if (!g_wall.use_tsc) return;
    sample s = tight_sample();
    // Over at least 100 ms the start-up estimate is improved upon; shorter runs keep it.
    if (s.mono_ns - g_wall.origin_mono_ns > 100000000 && s.ticks > g_wall.origin_ticks)
        g_wall.ns_per_tick =
            double(s.mono_ns - g_wall.origin_mono_ns) / double(s.ticks - g_wall.origin_ticks);
}

} // namespace timemory::rt
