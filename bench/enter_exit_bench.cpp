// Cost of one timemory_enter + timemory_exit pair, next to the floors measured in the
// same process: two raw rdtsc reads and two clock_gettime reads.
//
// The component bundle is fixed per process, so bench/compare.py runs this binary once
// per bundle (TIMEMORY_COMPONENTS) and divides by the floors of that same run.
#include <benchmark/benchmark.h>
#include <x86intrin.h>

#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include <timemory/timemory.h>

namespace {

timemory_site make_site(const char* name) {
    return timemory_site{0, TIMEMORY_LANG_CXX, name, name, __FILE__, 0, TIMEMORY_SITE_ABI};
}

void floor_rdtsc_pair(benchmark::State& st) {
    for (auto _ : st) {
        benchmark::DoNotOptimize(__rdtsc());
        benchmark::DoNotOptimize(__rdtsc());
    }
}

void floor_clock_gettime_pair(benchmark::State& st) {
    timespec ts;
    for (auto _ : st) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        benchmark::DoNotOptimize(ts);
        clock_gettime(CLOCK_MONOTONIC, &ts);
        benchmark::DoNotOptimize(ts);
    }
}

// The same site again and again, under one open parent: the steady state of a loop.
void one_site(benchmark::State& st) {
    static timemory_site parent = make_site("parent"), site = make_site("one_site");
    timemory_enter(&parent);
    for (auto _ : st) {
        timemory_enter(&site);
        timemory_exit(&site);
    }
    timemory_exit(&parent);
}

// Four levels: each iteration is four pairs, reported per pair.
void nested_sites(benchmark::State& st) {
    static timemory_site s[4] = {make_site("n0"), make_site("n1"), make_site("n2"),
                                 make_site("n3")};
    for (auto _ : st) {
        timemory_enter(&s[0]);
        timemory_enter(&s[1]);
        timemory_enter(&s[2]);
        timemory_enter(&s[3]);
        timemory_exit(&s[3]);
        timemory_exit(&s[2]);
        timemory_exit(&s[1]);
        timemory_exit(&s[0]);
    }
    st.SetItemsProcessed(int64_t(st.iterations()) * 4);
}

// A throttled site: counted, not timed (what a short function costs after
// TIMEMORY_THROTTLE_COUNT calls).
void throttled_site(benchmark::State& st) {
    static timemory_site parent = make_site("throttle_parent"), site = make_site("throttled");
    timemory_enter(&parent);
    timemory_enter(&site); // registers the site
    timemory_exit(&site);
    site.flags |= TIMEMORY_SITE_THROTTLED;
    for (auto _ : st) {
        timemory_enter(&site);
        timemory_exit(&site);
    }
    timemory_exit(&parent);
}

// 1024 different callees of one parent, visited round-robin: every lookup misses the
// one-entry cache and goes to the hash table.
void many_sites(benchmark::State& st) {
    static std::vector<timemory_site> sites;
    static std::vector<std::string> names;
    if (sites.empty()) {
        for (int i = 0; i < 1024; ++i)
            names.push_back("site_" + std::to_string(i));
        for (auto& n : names)
            sites.push_back(make_site(n.c_str()));
    }
    static timemory_site parent = make_site("many_parent");
    timemory_enter(&parent);
    size_t i = 0;
    for (auto _ : st) {
        timemory_site* s = &sites[i++ & 1023];
        timemory_enter(s);
        timemory_exit(s);
    }
    timemory_exit(&parent);
}

} // namespace

BENCHMARK(floor_rdtsc_pair);
BENCHMARK(floor_clock_gettime_pair);
BENCHMARK(one_site);
BENCHMARK(nested_sites);
BENCHMARK(many_sites);
BENCHMARK(throttled_site);

int main(int argc, char** argv) {
    // Measure only: no report files from a benchmark unless asked for.
    setenv("TIMEMORY_AUTO_OUTPUT", "OFF", 0);
    setenv("TIMEMORY_COUT_OUTPUT", "OFF", 0);
    // Every pair timed: throttling would stop timing these tiny regions after 10000 calls.
    setenv("TIMEMORY_THROTTLE_COUNT", "0", 0);
    timemory_init(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    timemory_finalize();
    return 0;
}
