/* The MPI test program: uneven trees across ranks.
 *   every rank:  main > work (rank + 1 times) > inner (once per work)
 *   rank 0 only: main > root_only
 *   even ranks:  main > even_only          (odd ranks skip it)
 *   odd ranks:   main > odd_only           (rank 0 skips it: a node the combined graph
 *                                           gets from rank 1 first)
 *   every rank:  MPI_Barrier x2, MPI_Allreduce x1 (timed with TIMEMORY_MPIP=ON)
 * argv[1] == "nofinalize": returns without calling MPI_Finalize.
 * argv[1] == "crash": rank 1 dies by SIGSEGV before finalizing. */
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <timemory/timemory.h>

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    timemory_push_region("main");
    for (int i = 0; i <= rank; ++i) {
        timemory_push_region("work");
        timemory_push_region("inner");
        timemory_pop_region("inner");
        timemory_pop_region("work");
    }
    if (rank == 0) {
        timemory_push_region("root_only");
        timemory_pop_region("root_only");
    }
    if (rank % 2 == 0) {
        timemory_push_region("even_only");
        timemory_pop_region("even_only");
    }
    if (rank % 2 == 1) {
        timemory_push_region("odd_only");
        usleep(2000); /* long enough to be drawn in any trace */
        timemory_pop_region("odd_only");
    }
    MPI_Barrier(MPI_COMM_WORLD);
    int one = 1, total = 0;
    MPI_Allreduce(&one, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Barrier(MPI_COMM_WORLD);
    timemory_pop_region("main");
    if (rank == 0) printf("ranks=%d total=%d\n", size, total);

    if (argc > 1 && strcmp(argv[1], "nofinalize") == 0) return 0;
    if (argc > 1 && strcmp(argv[1], "crash") == 0 && rank == 1) raise(SIGSEGV);
    MPI_Finalize();
    return 0;
}
