// libtimemory-mpi.so: MPI support through the standard PMPI profiling interface.
//
// MPI_Init/MPI_Init_thread: start the runtime and take over its finalize step.
// MPI_Finalize (or, for a program that never calls it, the runtime's exit handler):
//   every rank encodes its merged graph (timemory::encode), MPI_Gatherv brings the bytes to
//   rank 0, and rank 0 writes the per-rank and combined reports, copying each rank's entries
//   of the per-rank files from where the rank formatted them itself, at the same time as
//   the others (timemory::rank_report::write_slices). The PMPI_ calls used here are never
//   measured.
// With TIMEMORY_MPIP=ON, the MPI calls below are regions in the call graph.
// The C interface only: Open MPI and MPICH would otherwise pull in their C++ bindings.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <time.h>

#include <atomic>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "timemory/timemory.hpp"

namespace {

int g_rank = 0, g_size = 1;
bool g_mpip = false;
std::atomic<bool> g_in_mpi_finalize{false};
std::atomic<bool> g_done{false};

bool setting_on(const char* name) {
    std::string v = timemory::settings::get(name);
    return v == "ON";
}

// Rank 0's `text` on every rank.
std::string broadcast(std::string text) {
    int n = int(text.size());
    PMPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD);
    text.resize(size_t(n));
    if (n > 0) PMPI_Bcast(text.data(), n, MPI_CHAR, 0, MPI_COMM_WORLD);
    return text;
}

// A barrier that sleeps while it waits: ranks done with their part must not take the CPU
// from those still working (MPI's own barrier polls, and ranks often share cores).
void quiet_barrier() {
    MPI_Request req;
    PMPI_Ibarrier(MPI_COMM_WORLD, &req);
    int done = 0;
    const timespec pause{0, 1000000}; // 1 ms against a wait of seconds
    for (PMPI_Test(&req, &done, MPI_STATUS_IGNORE); !done;
         PMPI_Test(&req, &done, MPI_STATUS_IGNORE))
        nanosleep(&pause, nullptr);
}

// The finalize handler: gather to rank 0, which writes. Runs on every rank, from
// MPI_Finalize or, when the program did not call it, from the exit handler (then it also
// finalizes MPI, which the other ranks do in the same place).
bool gather_and_write() {
    int initialized = 0, finalized = 0;
    PMPI_Initialized(&initialized);
    PMPI_Finalized(&finalized);
    if (!initialized || finalized) return false; // no MPI: each process writes its own
    if (g_done.exchange(true)) return true;

    // One moment of this rank's graph, for both the gather and its per-rank entries (rank 0
    // formats its own from what it decodes: it lets go of it at once).
    std::optional<timemory::rank_report> mine(std::in_place, g_rank);
    std::string bytes = mine->encode();
    if (g_rank == 0) mine.reset();
    int n = int(bytes.size());
    std::vector<int> sizes(size_t(g_size), 0), displs(size_t(g_size), 0);
    PMPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::string all;
    if (g_rank == 0) {
        size_t total = 0;
        for (int r = 0; r < g_size; ++r) {
            displs[size_t(r)] = int(total);
            total += size_t(sizes[size_t(r)]);
        }
        all.resize(total);
    }
    PMPI_Gatherv(bytes.data(), n, MPI_CHAR, g_rank == 0 ? all.data() : nullptr, sizes.data(),
                 displs.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
    std::string().swap(bytes);

    // Every rank formats its own entries of the per-rank files into a folder rank 0 made,
    // while rank 0 combines the graphs; rank 0 copies them in once all are written (the
    // barrier). No folder (no files, a folder that cannot be made): rank 0 formats them.
    const bool writes = g_rank == 0 && setting_on("auto_output");
    const std::string slice_dir = broadcast(writes ? timemory::make_slice_folder() : "");
    if (g_rank != 0 && !slice_dir.empty()) {
        mine->write_slices(slice_dir);
        mine.reset();
        quiet_barrier(); // all written
    }
    if (writes) {
        std::vector<timemory::result> ranks;
        for (int r = 0; r < g_size; ++r) {
            try {
                ranks.push_back(timemory::decode(
                    all.substr(size_t(displs[size_t(r)]), size_t(sizes[size_t(r)]))));
            } catch (const std::exception& e) {
                std::fprintf(stderr, "[timemory] warning: rank %d's data is unreadable (%s)\n", r,
                             e.what());
                ranks.emplace_back();
            }
        }
        std::string().swap(all); // the gathered bytes are decoded: not held while writing
        if (slice_dir.empty())
            timemory::write_reports(ranks);
        else
            timemory::write_reports(ranks, slice_dir, quiet_barrier);
    }
    if (!g_in_mpi_finalize.load()) PMPI_Finalize(); // the program never called MPI_Finalize
    return true;
}

void on_init(int* argc, char*** argv) {
    PMPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    PMPI_Comm_size(MPI_COMM_WORLD, &g_size);
    timemory_init(argc ? *argc : 0, argv ? *argv : nullptr);
    g_mpip = setting_on("mpip");
    if (g_size > 1) timemory::set_finalize_handler(gather_and_write);
}

// One static site per wrapped MPI function: the hot path passes a pointer.
#define TIMEMORY_MPI_SITE(fn)                                                                      \
    static timemory_site site_##fn = {0, TIMEMORY_LANG_C, #fn, #fn, "", 0, TIMEMORY_SITE_ABI}

struct mpip_region {
    timemory_site* site;
    explicit mpip_region(timemory_site* s) : site(g_mpip ? s : nullptr) {
        if (site) timemory_enter(site);
    }
    ~mpip_region() {
        if (site) timemory_exit(site);
    }
};

} // namespace

#define TM_API extern "C" __attribute__((visibility("default")))

TM_API int MPI_Init(int* argc, char*** argv) {
    int rc = PMPI_Init(argc, argv);
    if (rc == MPI_SUCCESS) on_init(argc, argv);
    return rc;
}

TM_API int MPI_Init_thread(int* argc, char*** argv, int required, int* provided) {
    int rc = PMPI_Init_thread(argc, argv, required, provided);
    if (rc == MPI_SUCCESS) on_init(argc, argv);
    return rc;
}

TM_API int MPI_Finalize() {
    g_in_mpi_finalize = true;
    timemory_finalize(); // runs gather_and_write on every rank
    return PMPI_Finalize();
}

TIMEMORY_MPI_SITE(MPI_Send);
TM_API int MPI_Send(const void* b, int c, MPI_Datatype t, int d, int tag, MPI_Comm comm) {
    mpip_region r(&site_MPI_Send);
    return PMPI_Send(b, c, t, d, tag, comm);
}

TIMEMORY_MPI_SITE(MPI_Recv);
TM_API int MPI_Recv(void* b, int c, MPI_Datatype t, int s, int tag, MPI_Comm comm, MPI_Status* st) {
    mpip_region r(&site_MPI_Recv);
    return PMPI_Recv(b, c, t, s, tag, comm, st);
}

TIMEMORY_MPI_SITE(MPI_Isend);
TM_API int MPI_Isend(const void* b, int c, MPI_Datatype t, int d, int tag, MPI_Comm comm,
                     MPI_Request* req) {
    mpip_region r(&site_MPI_Isend);
    return PMPI_Isend(b, c, t, d, tag, comm, req);
}

TIMEMORY_MPI_SITE(MPI_Irecv);
TM_API int MPI_Irecv(void* b, int c, MPI_Datatype t, int s, int tag, MPI_Comm comm,
                     MPI_Request* req) {
    mpip_region r(&site_MPI_Irecv);
    return PMPI_Irecv(b, c, t, s, tag, comm, req);
}

TIMEMORY_MPI_SITE(MPI_Wait);
TM_API int MPI_Wait(MPI_Request* req, MPI_Status* st) {
    mpip_region r(&site_MPI_Wait);
    return PMPI_Wait(req, st);
}

TIMEMORY_MPI_SITE(MPI_Waitall);
TM_API int MPI_Waitall(int n, MPI_Request* reqs, MPI_Status* sts) {
    mpip_region r(&site_MPI_Waitall);
    return PMPI_Waitall(n, reqs, sts);
}

TIMEMORY_MPI_SITE(MPI_Barrier);
TM_API int MPI_Barrier(MPI_Comm comm) {
    mpip_region r(&site_MPI_Barrier);
    return PMPI_Barrier(comm);
}

TIMEMORY_MPI_SITE(MPI_Bcast);
TM_API int MPI_Bcast(void* b, int c, MPI_Datatype t, int root, MPI_Comm comm) {
    mpip_region r(&site_MPI_Bcast);
    return PMPI_Bcast(b, c, t, root, comm);
}

TIMEMORY_MPI_SITE(MPI_Reduce);
TM_API int MPI_Reduce(const void* s, void* d, int c, MPI_Datatype t, MPI_Op op, int root,
                      MPI_Comm comm) {
    mpip_region r(&site_MPI_Reduce);
    return PMPI_Reduce(s, d, c, t, op, root, comm);
}

TIMEMORY_MPI_SITE(MPI_Allreduce);
TM_API int MPI_Allreduce(const void* s, void* d, int c, MPI_Datatype t, MPI_Op op, MPI_Comm comm) {
    mpip_region r(&site_MPI_Allreduce);
    return PMPI_Allreduce(s, d, c, t, op, comm);
}

TIMEMORY_MPI_SITE(MPI_Gather);
TM_API int MPI_Gather(const void* s, int sc, MPI_Datatype st, void* r_, int rc, MPI_Datatype rt,
                      int root, MPI_Comm comm) {
    mpip_region r(&site_MPI_Gather);
    return PMPI_Gather(s, sc, st, r_, rc, rt, root, comm);
}

TIMEMORY_MPI_SITE(MPI_Allgather);
TM_API int MPI_Allgather(const void* s, int sc, MPI_Datatype st, void* r_, int rc, MPI_Datatype rt,
                         MPI_Comm comm) {
    mpip_region r(&site_MPI_Allgather);
    return PMPI_Allgather(s, sc, st, r_, rc, rt, comm);
}

TIMEMORY_MPI_SITE(MPI_Alltoall);
TM_API int MPI_Alltoall(const void* s, int sc, MPI_Datatype st, void* r_, int rc, MPI_Datatype rt,
                        MPI_Comm comm) {
    mpip_region r(&site_MPI_Alltoall);
    return PMPI_Alltoall(s, sc, st, r_, rc, rt, comm);
}

TIMEMORY_MPI_SITE(MPI_Sendrecv);
TM_API int MPI_Sendrecv(const void* sb, int sc, MPI_Datatype st, int d, int stag, void* rb, int rc,
                        MPI_Datatype rt, int s, int rtag, MPI_Comm comm, MPI_Status* status) {
    mpip_region r(&site_MPI_Sendrecv);
    return PMPI_Sendrecv(sb, sc, st, d, stag, rb, rc, rt, s, rtag, comm, status);
}
