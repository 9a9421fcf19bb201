// Many small OpenMP parallel regions: what the OMPT callbacks cost per region and per
// implicit task. Prints the time of the region loop alone (ns per region), so start-up and
// report writing are not part of it. usage: regions REGIONS
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

static volatile double sink;

int main(int argc, char** argv) {
    const long regions = argc > 1 ? std::atol(argv[1]) : 20000;
    double acc = 0;
    // A first region outside the timing: libomp creates its threads there.
#pragma omp parallel reduction(+ : acc)
    acc += omp_get_thread_num();
    const auto t0 = std::chrono::steady_clock::now();
    for (long r = 0; r < regions; ++r) {
#pragma omp parallel reduction(+ : acc)
        acc += 1.0 / (1 + omp_get_thread_num() + r);
    }
    const auto t1 = std::chrono::steady_clock::now();
    sink = acc;
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
    std::printf("%.1f ns/region threads=%d\n", ns / double(regions), omp_get_max_threads());
    return 0;
}
