/* Report writing against graph size and shape. Records a graph, then times
 * timemory_finalize(), which writes every report file (TIMEMORY_OUTPUT_PATH), and measures
 * memory: the resident size before recording, after it (the graph's own memory is the
 * difference) and the peak while writing (VmHWM, reset before finalize through
 * /proc/self/clear_refs).
 *   wide N: N distinct regions under 100 parents (a broad graph; N + 100 nodes)
 *   deep N: one chain N calls deep (TIMEMORY_MAX_DEPTH must allow it)
 * Prints "<mode> <nodes> <rss_before_kb> <rss_graph_kb> <peak_write_kb> <write_ms>". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/graph_shapes.h"

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* A line of /proc/self/status in kB ("VmRSS", "VmHWM"). */
static long status_kb(const char* key) {
    FILE* f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t n = strlen(key);
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, key, n) == 0 && line[n] == ':') kb = atol(line + n + 1);
    if (f) fclose(f);
    return kb;
}

static void reset_peak(void) {
    FILE* f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

int main(int argc, char** argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s wide|deep N\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[2]);
    timemory_init(argc, argv);
    long before = status_kb("VmRSS");
    if (strcmp(argv[1], "deep") == 0)
        record_deep_graph(n);
    else
        record_wide_graph(n);
    long graph = status_kb("VmRSS") - before;
    reset_peak();
    double t0 = now_ms();
    timemory_finalize();
    double t1 = now_ms();
    printf("%s %d %ld %ld %ld %.1f\n", argv[1], n, before, graph, status_kb("VmHWM") - before,
           t1 - t0);
    return 0;
}
