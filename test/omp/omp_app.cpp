// An OpenMP program (built with clang -fopenmp, libomp): two functions that each run a
// parallel loop, called in turn, so libomp's workers (created in the first region) serve
// both. Regions are marked with the C interface, as the Clang plugin would.
//   omp_app phases  ROUNDS   step() and other_phase() in turn
//   omp_app nested           a parallel region inside a parallel region
//   omp_app tasks            omp task / taskwait inside a region
//   omp_app one-thread       a region with num_threads(1)
#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "timemory/timemory.h"

#include "../common/host_program.hpp"

using tmtest::make_site;

namespace {

timemory_site s_main = make_site("main");
timemory_site s_step = make_site("step");
timemory_site s_other = make_site("other_phase");
timemory_site s_work = make_site("work");

void work(long us) {
    timemory_enter(&s_work);
    tmtest::spin_ns(us * 1000);
    timemory_exit(&s_work);
}

} // namespace

// Not inlined, with external names: the regions are named after them.
__attribute__((noinline)) void step() {
    timemory_enter(&s_step);
#pragma omp parallel for schedule(static)
    for (int i = 0; i < 8; ++i)
        work(2000);
    timemory_exit(&s_step);
}

__attribute__((noinline)) void other_phase() {
    timemory_enter(&s_other);
#pragma omp parallel for schedule(static)
    for (int i = 0; i < 8; ++i)
        work(1000);
    timemory_exit(&s_other);
}

namespace {

int phases(int rounds) {
    for (int r = 0; r < rounds; ++r) {
        step();
        other_phase();
    }
    return 0;
}

int nested() {
    omp_set_max_active_levels(2);
#pragma omp parallel num_threads(2)
    {
#pragma omp parallel num_threads(2)
        work(1000);
    }
    return 0;
}

int one_thread() {
#pragma omp parallel num_threads(1)
    work(500);
    return 0;
}

int tasks() {
#pragma omp parallel
#pragma omp single
    {
        for (int i = 0; i < 16; ++i) {
#pragma omp task
            work(200);
        }
#pragma omp taskwait
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    timemory_enter(&s_main);
    int rc = 2;
    if (argc > 2 && std::strcmp(argv[1], "phases") == 0)
        rc = phases(std::atoi(argv[2]));
    else if (argc > 1 && std::strcmp(argv[1], "nested") == 0)
        rc = nested();
    else if (argc > 1 && std::strcmp(argv[1], "tasks") == 0)
        rc = tasks();
    else if (argc > 1 && std::strcmp(argv[1], "one-thread") == 0)
        rc = one_thread();
    else
        std::fprintf(stderr, "usage: %s phases ROUNDS | nested | tasks | one-thread\n", argv[0]);
    timemory_exit(&s_main);
    return rc;
}
