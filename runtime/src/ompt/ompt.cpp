// OpenMP regions through OMPT, the tools interface of libomp (clang -fopenmp).
//
// libomp looks up ompt_start_tool in the process when it starts; the runtime exports it,
// so an instrumented OpenMP program needs no change. The model:
//  - parallel_begin (on the thread that opens the region): a region node, "[omp parallel]
//    <function>", under whatever that thread has open; its (thread, node) is handed to the
//    region's implicit tasks.
//  - implicit_task begin: on the primary thread, an "[omp implicit task]" node under the
//    region; on every other thread (libomp's reused workers), an anchor frame standing for
//    the region node of the primary thread (thread_state::enter_anchored), then its
//    "[omp implicit task]": whatever a worker records in the region is placed under that
//    region in the reports, per region, not where libomp happened to create the thread.
//  - sync_region_wait (TIMEMORY_OMPT_SYNC_WAIT): the waits in barriers, taskwaits and
//    reductions, under the thread's implicit task.
// Workers' shares stay apart from the primary thread's (another thread's work is never
// subtracted from a node's exclusive value), so a region's exclusive value is the primary
// thread's fork/join cost, and its children say how many threads worked and for how long.
#include <dlfcn.h>
#include TIMEMORY_OMPT_HEADER // omp-tools.h of libomp (LLVM 19)

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

#include "backends/backend.hpp"
#include "base/log.hpp"
#include "base/symbols.hpp"
#include "runtime/runtime.hpp"
#include "settings/settings.hpp"
#include "timemory/timemory.h"

namespace timemory::rt {

std::vector<component> ompt_components(); // ompt_catalog.cpp

namespace {

std::atomic<bool> g_started{false}; // libomp called ompt_start_tool
std::atomic<bool> g_active{false};  // and our callbacks are registered and wanted
bool g_sync_wait = true;
const void* g_omp_base = nullptr; // where the OpenMP runtime is loaded (from its lookup)

timemory_site* g_implicit = nullptr; // "[omp implicit task]", set before the callbacks

timemory_site* implicit_site() {
    return g_implicit;
}

timemory_site* wait_site(ompt_sync_region_t kind) {
    static timemory_site* barrier = region_site("[omp barrier wait]");
    static timemory_site* taskwait = region_site("[omp taskwait]");
    static timemory_site* reduction = region_site("[omp reduction wait]");
    switch (kind) {
    case ompt_sync_region_taskwait:
    case ompt_sync_region_taskgroup:
        return taskwait;
    case ompt_sync_region_reduction:
        return reduction;
    default:
        return barrier;
    }
}

// "[omp parallel] <function that holds the construct>": from the return address of the
// construct (a function no symbol table names is named by its module and offset). Two
// regions in one function get "#2", "#3".
std::string describe_region(const void* codeptr) {
    std::string module;
    size_t offset = 0;
    std::string where = function_at(codeptr, &module, &offset);
    Dl_info omp{};
    if (g_omp_base && dladdr(codeptr, &omp) && omp.dli_fbase == g_omp_base) {
        // A construct whose call into libomp was a tail call (the last thing of an outlined
        // region body): the address is in libomp's own code, which says nothing.
        where = "(called at the end of an enclosing region)";
    } else if (where.empty() && !module.empty()) {
        const size_t slash = module.rfind('/');
        char off[32];
        std::snprintf(off, sizeof(off), "+0x%zx", offset);
        where = module.substr(slash == std::string::npos ? 0 : slash + 1) + off;
    } else if (where.empty()) {
        where = "(unknown)";
    }
    return "[omp parallel] " + where;
}

// Created at load (not under a function-local guard, which a fork() from another thread
// could copy held into the child).
auto* const g_region_sites = new std::unordered_map<const void*, timemory_site*>();
auto* const g_region_names = new std::unordered_map<std::string, int>();

timemory_site* region_of(const void* codeptr) {
    // Initial-exec TLS: no __tls_get_addr call per region (the runtime is linked by the
    // program, not dlopen'ed).
    static __thread const void* last_code __attribute__((tls_model("initial-exec"))) = nullptr;
    static __thread timemory_site* last_site __attribute__((tls_model("initial-exec"))) = nullptr;
    if (codeptr == last_code && last_site) return last_site;
    static std::mutex mutex; // constant-initialized: no guard a fork could copy held
    auto* sites = g_region_sites;
    auto* names = g_region_names;
    timemory_site* s = nullptr;
    {
        std::lock_guard<std::mutex> lk(mutex);
        auto it = sites->find(codeptr);
        if (it != sites->end()) {
            s = it->second;
        } else {
            std::string name = describe_region(codeptr);
            const int n = ++(*names)[name];
            if (n > 1) name += " #" + std::to_string(n);
            s = region_site(name.c_str());
            sites->emplace(codeptr, s);
        }
    }
    last_code = codeptr;
    last_site = s;
    return s;
}

// One execution of a parallel region: created by the primary thread at its begin, read by
// every implicit task at its begin, freed at the region's end (after the join barrier).
struct region_run {
    timemory_site* site;
    uint32_t thread = 0, node = 0;
    bool placed = false; ///< the primary thread recorded the region node
};

// One spare region_run per thread: a region's begin and end run on the same thread, so a
// program's regions reuse it instead of allocating each time.
__thread region_run* t_spare __attribute__((tls_model("initial-exec"))) = nullptr;

void on_parallel_begin(ompt_data_t*, const ompt_frame_t*, ompt_data_t* parallel, unsigned, int,
                       const void* codeptr) {
    parallel->ptr = nullptr;
    if (!g_active.load(std::memory_order_relaxed)) return;
    region_run* run = t_spare;
    t_spare = nullptr;
    if (!run && !(run = new (std::nothrow) region_run{nullptr})) return;
    *run = region_run{region_of(codeptr)};
    timemory_enter(run->site);
    run->placed = current_place(&run->thread, &run->node);
    parallel->ptr = run;
}

void on_parallel_end(ompt_data_t* parallel, ompt_data_t*, int, const void*) {
    auto* run = static_cast<region_run*>(parallel->ptr);
    if (!run) return;
    parallel->ptr = nullptr;
    timemory_exit(run->site);
    if (t_spare)
        delete run;
    else
        t_spare = run;
}

// task->ptr at the end: the site of the anchor frame a worker opened (its region), or the
// implicit-task site on the primary thread; null when nothing was opened.
void on_implicit_task(ompt_scope_endpoint_t endpoint, ompt_data_t* parallel, ompt_data_t* task,
                      unsigned, unsigned index, int flags) {
    if (flags & ompt_task_initial) return;
    if (endpoint == ompt_scope_begin) {
        task->ptr = nullptr;
        auto* run = parallel ? static_cast<region_run*>(parallel->ptr) : nullptr;
        if (!run || !g_active.load(std::memory_order_relaxed)) return;
        if (index == 0) {
            timemory_enter(implicit_site());
            task->ptr = implicit_site();
            return;
        }
        if (run->placed)
            enter_anchored(run->site, run->thread, run->node);
        else
            timemory_enter(run->site);
        timemory_enter(implicit_site());
        task->ptr = run->site;
    } else if (endpoint == ompt_scope_end && task->ptr) {
        auto* opened = static_cast<timemory_site*>(task->ptr);
        task->ptr = nullptr;
        timemory_exit(implicit_site());
        if (opened != implicit_site()) timemory_exit(opened);
    }
}

void on_sync_wait(ompt_sync_region_t kind, ompt_scope_endpoint_t endpoint, ompt_data_t*,
                  ompt_data_t*, const void*) {
    if (!g_active.load(std::memory_order_relaxed)) return;
    if (endpoint == ompt_scope_begin)
        timemory_enter(wait_site(kind));
    else if (endpoint == ompt_scope_end)
        timemory_exit(wait_site(kind));
}

int initialize(ompt_function_lookup_t lookup, int, ompt_data_t*) {
    Dl_info omp{};
    if (dladdr(reinterpret_cast<void*>(lookup), &omp)) g_omp_base = omp.dli_fbase;
    auto set_callback = reinterpret_cast<ompt_set_callback_t>(lookup("ompt_set_callback"));
    if (!set_callback) return 0;
    // Registered or not, each is asked for: libomp answers what it supports.
    const bool ok =
        set_callback(ompt_callback_parallel_begin,
                     reinterpret_cast<ompt_callback_t>(&on_parallel_begin)) == ompt_set_always &&
        set_callback(ompt_callback_parallel_end,
                     reinterpret_cast<ompt_callback_t>(&on_parallel_end)) == ompt_set_always &&
        set_callback(ompt_callback_implicit_task,
                     reinterpret_cast<ompt_callback_t>(&on_implicit_task)) == ompt_set_always;
    if (!ok) {
        warn("OpenMP regions are not attributed: this OpenMP runtime does not offer the OMPT "
             "callbacks for parallel regions and implicit tasks");
        return 0;
    }
    g_implicit = region_site("[omp implicit task]");
    if (g_sync_wait)
        set_callback(ompt_callback_sync_region_wait,
                     reinterpret_cast<ompt_callback_t>(&on_sync_wait));
    g_active.store(true);
    return 1; // keep the tool
}

void finalize_tool(ompt_data_t*) {
    g_active.store(false);
}

bool available(std::string*) {
    return true;
}

// Whether a library whose path contains `name` is mapped, read from /proc/self/maps: at
// exit, also in a fork child, where dlopen(RTLD_NOLOAD) would take the loader's lock (held
// at the fork by another thread, it would never be released in the child).
bool library_mapped(const char* name) noexcept {
    std::FILE* maps = std::fopen("/proc/self/maps", "re");
    if (!maps) return false;
    char line[4096];
    bool found = false;
    while (!found && std::fgets(line, sizeof(line), maps))
        found = std::strstr(line, name) != nullptr;
    std::fclose(maps);
    return found;
}

// Said once at exit: an OpenMP program whose runtime has no OMPT (GCC's libgomp) had its
// parallel work attached where its threads were created, not per region.
void at_finalize() noexcept {
    g_active.store(false);
    if (g_started.load() || !settings::current().ompt) return;
    if (!library_mapped("/libgomp.so")) return;
    // Only when other threads recorded: a library that merely links libgomp (and a
    // program whose threads measured nothing) has nothing misplaced.
    {
        runtime& r = rt_state();
        runtime_lock lk(r.mutex);
        if (r.threads.size() <= 1 && r.finished.empty()) return;
    }
    warn("OpenMP regions were not attributed per region: the program uses GCC's libgomp, "
         "which has no OMPT interface; build it with clang -fopenmp (libomp) for that");
}

} // namespace

extern const backend ompt_backend{"ompt",  ompt_components, nullptr, available, nullptr,
                                  nullptr, nullptr,         nullptr, nullptr,   at_finalize};

} // namespace timemory::rt

// Called by libomp when it starts (it searches the process for this symbol). Returning
// null declines: TIMEMORY_OMPT=OFF, or the runtime does not run.
extern "C" __attribute__((visibility("default"))) ompt_start_tool_result_t*
ompt_start_tool(unsigned int, const char*) {
    using namespace timemory::rt;
    g_started.store(true);
    if (!ensure_initialized()) return nullptr;
    const settings::values& v = settings::current();
    if (!v.ompt) return nullptr;
    g_sync_wait = v.ompt_sync_wait;
    static ompt_start_tool_result_t result{&initialize, &finalize_tool, {0}};
    return &result;
}
