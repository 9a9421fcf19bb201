/* A C program using the C interface only: static sites, and named regions. */
#include <timemory/timemory.h>

#include <stdio.h>

static struct timemory_site compute_site = {0,        TIMEMORY_LANG_C, "compute",        "compute",
                                            __FILE__, __LINE__,        TIMEMORY_SITE_ABI};

static double compute(int n) {
    timemory_enter(&compute_site);
    double s = 0;
    for (int i = 0; i < n; ++i)
        s += i * 0.5;
    timemory_exit(&compute_site);
    return s;
}

int main(int argc, char** argv) {
    timemory_init(argc, argv);
    timemory_push_region("c_main");
    double total = 0;
    for (int i = 0; i < 3; ++i)
        total += compute(1000);
    timemory_pop_region("c_main");
    printf("enabled=%d total=%.1f\n", (int)timemory_is_enabled(), total);
    timemory_finalize();
    /* After finalize every call is a no-op. */
    timemory_push_region("after_finalize");
    timemory_pop_region("after_finalize");
    return 0;
}
