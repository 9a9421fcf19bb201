/* A program with PAPI software-defined counters (libsde) and timemory regions, for the
 * end-to-end PAPI tests. The library "tmtest" exports two counters, ITEMS and BYTES; the
 * regions add known amounts to them, so every call-graph node has an exact expected
 * count:
 *
 *   main
 *   ├── outer            ITEMS 3*5 = 15, BYTES 3*100 = 300 (inclusive)
 *   │    └── inner x3    ITEMS 5 each, BYTES 100 each
 *   ├── other            ITEMS 7
 *   └── spawn            ITEMS 11 (the worker thread runs while main waits in join)
 *        └── worker      ITEMS 11, counted by the worker thread's own event set
 */
#include <pthread.h>
#include <sde_lib.h>

#include "timemory/timemory.h"

static long long items = 0;
static long long bytes = 0;

static void add(long long n_items, long long n_bytes) {
    /* The counters are read through their addresses: keep the stores. */
    __atomic_add_fetch(&items, n_items, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&bytes, n_bytes, __ATOMIC_SEQ_CST);
}

static void* worker(void* arg) {
    (void)arg;
    timemory_push_region("worker");
    add(11, 0);
    timemory_pop_region("worker");
    return NULL;
}

int main(int argc, char** argv) {
    /* Counters are registered before the runtime starts PAPI, as a library would at load. */
    papi_handle_t h = papi_sde_init("tmtest");
    papi_sde_register_counter(h, "ITEMS", PAPI_SDE_RO | PAPI_SDE_DELTA, PAPI_SDE_long_long, &items);
    papi_sde_register_counter(h, "BYTES", PAPI_SDE_RO | PAPI_SDE_DELTA, PAPI_SDE_long_long, &bytes);
    timemory_init(argc, argv);
    timemory_push_region("main");
    timemory_push_region("outer");
    for (int i = 0; i < 3; ++i) {
        timemory_push_region("inner");
        add(5, 100);
        timemory_pop_region("inner");
    }
    timemory_pop_region("outer");
    timemory_push_region("other");
    add(7, 0);
    timemory_pop_region("other");
    timemory_push_region("spawn");
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    timemory_pop_region("spawn");
    timemory_pop_region("main");
    timemory_finalize();
    return 0;
}
