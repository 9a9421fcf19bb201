/* Finalize cost with MPI: every rank records N distinct regions (under 100 parents), then
 * rank 0 reports how long MPI_Finalize took: encode, MPI_Gatherv to rank 0, decode, combine
 * and (with TIMEMORY_FILE_OUTPUT=ON) writing the reports. Prints "<nodes> <ranks> <ms>". */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../common/graph_shapes.h"

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    record_wide_graph(n - 100);
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = now_ms();
    MPI_Finalize();
    double t1 = now_ms();
    if (rank == 0) printf("%d %d %.1f\n", n, size, t1 - t0);
    return 0;
}
