/* Call graphs of a chosen size for the benchmarks that measure report writing and MPI
 * finalize: n distinct regions under 100 parents (broad), or one chain n deep. */
#pragma once

#include <stdio.h>

#include <timemory/timemory.h>

/* n distinct regions (region_0 ... region_{n-1}) under 100 parents (parent_0 ...). */
static inline void record_wide_graph(int n) {
    char name[64];
    for (int p = 0; p < 100; ++p) {
        snprintf(name, sizeof(name), "parent_%d", p);
        timemory_push_region(name);
        for (int i = p; i < n; i += 100) {
            snprintf(name, sizeof(name), "region_%d", i);
            timemory_push_region(name);
            timemory_pop_region(name);
        }
        snprintf(name, sizeof(name), "parent_%d", p);
        timemory_pop_region(name);
    }
}

/* One chain n calls deep, a name per level: each level is its own node, as a recursion's
 * frames are. TIMEMORY_MAX_DEPTH must allow n. */
static inline void record_deep_graph(int n) {
    char name[64];
    for (int i = 0; i < n; ++i) {
        snprintf(name, sizeof(name), "level_%d", i);
        timemory_push_region(name);
    }
    for (int i = n - 1; i >= 0; --i) {
        snprintf(name, sizeof(name), "level_%d", i);
        timemory_pop_region(name);
    }
}
