#include "runtime/runtime.hpp"

#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "backends/backend.hpp"
#include "base/clock.hpp"
#include "base/host_state.hpp"
#include "base/log.hpp"
#include "hooks/hooks.hpp"
#include "runtime/reports.hpp"
#include "settings/settings.hpp"

namespace timemory::rt {

__thread thread_state* t_state __attribute__((tls_model("initial-exec"))) = nullptr;

constinit never_destroyed<runtime> g_runtime;
constinit unrecorded_calls g_unrecorded;
__thread int t_locks_held __attribute__((tls_model("initial-exec"))) = 0;
std::atomic<bool (*)()> g_finalize_handler{nullptr};
std::atomic<bool> g_finalizing_on_signal{false};

namespace {

pthread_key_t g_thread_key;

// With threads collapsed (the default), a finished thread's graph goes now into the graph
// of finished threads of the thread that started it, and its state is freed: memory stays
// bounded by live threads and distinct call paths, however many threads come and go.
// Not when threads it started still run (their graphs attach under its nodes), nor in
// timeline mode (every call its own node), nor per-thread reports. Under the lock.
bool fold_locked(runtime& r, thread_state* ts) {
    const settings::values& v = settings::current();
    // Re-checked under the lock: finalize copies the list of threads under it, and a
    // thread freed after that copy would be read by quiesce_threads.
    if (r.state.load() != int(run_state::running) || !v.collapse_threads || r.options.timeline ||
        ts->index >= r.live_children.size() || r.live_children[ts->index] > 0 || ts->unreadable ||
        !ts->stack.empty())
        return false;
    const int p = ts->parent_thread >= 0 && size_t(ts->parent_thread) < r.threads.size() &&
                          r.threads[size_t(ts->parent_thread)]
                      ? ts->parent_thread
                      : -1;
    const uint32_t at = p >= 0 ? ts->parent_node : 0;
    // All the memory first (it throws when there is none, before anything changed): a
    // merge that stopped half-way would leave a graph and its thread ids out of step.
    r.finished_of(p); // may add the entry, moving the others
    // Threads this one started, folded before it: their graphs go into its own first.
    size_t k = 0;
    while (k < r.finished.size() && r.finished[k].parent != int(ts->index))
        ++k;
    const runtime::finished_threads* kids = k < r.finished.size() ? &r.finished[k] : nullptr;
    runtime::finished_threads& f = r.finished_of(p);
    std::vector<int> tid(ts->graph.size(), int(ts->index));
    const size_t kid_nodes = kids ? kids->graph.size() : 0;
    tid.reserve(ts->graph.size() + kid_nodes);
    if (kids) ts->graph.reserve_for_merge({&kids->graph});
    f.graph.reserve_for_merge({&ts->graph, kids ? &kids->graph : nullptr}, 1); // + the anchor
    f.tid.reserve(f.graph.size() + ts->graph.size() + kid_nodes + 1);
    if (kids) {
        const size_t before = ts->graph.size();
        std::vector<uint32_t> map = ts->graph.merge_anchored(kids->graph, true);
        carry_node_values(tid, ts->graph.size(), int(ts->index), before, map, kids->tid);
        r.finished.erase(r.finished.begin() + long(k));
    }
    settle_in_flight(ts->graph, r.comps);
    runtime::finished_threads& into = r.finished_of(p); // where `f` is after the erase
    const size_t before = into.graph.size();
    std::vector<uint32_t> map = into.graph.merge(ts->graph, into.graph.anchor(at), false);
    carry_node_values(into.tid, into.graph.size(), int(ts->index), before, map, tid);
    r.folded_failures += ts->failures;
    if (p >= 0 && r.live_children[size_t(p)] > 0) r.live_children[size_t(p)] -= 1;
    r.threads[ts->index] = nullptr;
    return true;
}

} // namespace

runtime::finished_threads& runtime::finished_of(int p) {
    for (finished_threads& f : finished)
        if (f.parent == p) return f;
    finished.push_back({p, call_graph(comps.size()), {}});
    return finished.back();
}

namespace {

// Runs when a thread that recorded exits: close what it left open, keep its data.
void on_thread_exit(void* p) {
    errno_guard keep_errno; // later thread-exit work of the program may still read it
    auto* ts = static_cast<thread_state*>(p);
    runtime& r = rt_state();
    ts->set_busy(); // finalize reads this thread's graph only when it is not busy
    const bool running = r.state.load() == int(run_state::running);
    if (running) ts->close_all(r.comps, r.options);
    backends_thread_exit();
    ts->finished = true;
    bool folded = false;
    if (running) {
        try {
            runtime_lock lk(r.mutex);
            folded = fold_locked(r, ts);
            if (!folded && ts->parent_thread >= 0 &&
                size_t(ts->parent_thread) < r.live_children.size() &&
                r.live_children[size_t(ts->parent_thread)] > 0)
                r.live_children[size_t(ts->parent_thread)] -= 1;
        } catch (...) {
            folded = false; // out of memory: the thread keeps its graph, as before
        }
    }
    t_state = nullptr;
    if (folded) {
        delete ts;
        return;
    }
    ts->clear_busy();
}

// A process-wide memory barrier: every thread of the process executes a full barrier
// before this returns (membarrier(2)). It lets the hot path mark itself busy with plain
// stores, yet finalize see every such store before it looks.
std::atomic<bool> g_private_barrier{false};

void register_process_barrier() {
    g_private_barrier =
        syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

void process_barrier() {
    if (g_private_barrier.load() &&
        syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
        return;
    if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0) return;
    // No membarrier (old kernel, seccomp): store buffers drain within microseconds.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    usleep(1000);
}

// True while this thread initialises the runtime: anything it calls that is instrumented
// must not try to initialise again (the lock is not recursive).
__thread bool t_initializing = false;

std::vector<std::string> read_cmdline() {
    std::vector<std::string> out;
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::string arg;
    while (std::getline(in, arg, '\0'))
        out.push_back(arg);
    return out;
}

void atexit_handler() {
    finalize();
}

// Compiles a filter once; a bad one was already rejected by the settings parser.
std::shared_ptr<name_filter> compile_filter(const std::string& text) {
    if (text.empty()) return nullptr;
    return name_filter::compile(text, nullptr);
}

} // namespace

settings::values
starting_settings(const std::vector<std::pair<std::string, std::string>>& overrides) {
    settings::values v = settings::defaults();
    settings::load(v);
    for (const auto& [name, value] : overrides) {
        std::string err;
        if (!settings::assign(v, settings::find(name), value, &err))
            warn("setting " + name + "='" + value + "' ignored: " + err);
    }
    return v;
}

namespace {

void initialize_locked(runtime& r) {
    t_initializing = true;
    fp_env_guard fp;        // the calibration divides; the host's FP flags stay as they were
    errno_guard keep_errno; // config files that do not exist, /proc files
    settings::values v = starting_settings(r.overrides);
    if (v.debug && v.verbose < 2) v.verbose = 2;
    settings::current() = v;
    calibrate_wall_clock(v.wall_clock_source);
    open_proc_files();
    r.comps.select(parse_component_list(v.components));
    apply_settings(r, v);
    r.root_pid = getpid();
    r.owner_pid.store(r.root_pid);
    r.root_ppid = getppid();
    if (r.argv.empty()) r.argv = read_cmdline();
    r.start_time_ns = clock_ns(CLOCK_REALTIME);
    pthread_key_create(&g_thread_key, on_thread_exit);
    install_fork_handlers();
    register_process_barrier();
    if (v.enable_signal_handler) install_signal_handlers({});
    std::atexit(atexit_handler);
    at_quick_exit(atexit_handler); // quick_exit runs these, not the atexit ones
    if (v.banner) {
        std::string names;
        for (auto* c : r.comps.comps)
            names += std::string(names.empty() ? "" : ", ") + c->id;
        std::fprintf(stderr, "[timemory] measuring %s (pid %d)\n", names.c_str(), r.root_pid);
    }
    r.state.store(int(run_state::running));
    update_recording();
    t_initializing = false;
}

} // namespace

void apply_settings(runtime& r, const settings::values& v) {
    set_verbosity(v.verbose);
    r.options.flat = v.flat_profile;
    r.options.timeline = v.timeline_profile;
    r.options.simple = !v.flat_profile && !v.timeline_profile;
    r.options.max_depth = uint32_t(v.max_depth);
    r.options.throttle_count = uint64_t(v.throttle_count);
    r.options.throttle_sample = uint32_t(v.throttle_sample);
    {
        fp_env_guard fp;
        r.options.throttle_ticks = int64_t(double(v.throttle_value) / g_wall.ns_per_tick);
    }
    r.include_filter = compile_filter(v.include);
    r.exclude_filter = compile_filter(v.exclude);
    r.enabled.store(v.enabled);
}

void update_recording() noexcept {
    runtime& r = rt_state();
    r.recording.store(r.state.load() == int(run_state::running) && r.enabled.load());
}

bool initializing_here() noexcept {
    return t_initializing;
}

bool ensure_initialized() noexcept {
    runtime& r = rt_state();
    int s = r.state.load();
    if (s == int(run_state::uninitialized)) {
        if (t_initializing) return false;
        bool first = false;
        {
            runtime_lock lk(r.mutex);
            if (r.state.load() == int(run_state::uninitialized)) {
                if (secure_execution()) {
                    // A privileged process run by a less privileged user: off for good
                    // (docs/user-guide.md, "Set-uid programs").
                    r.state.store(int(run_state::finalized));
                } else {
                    try {
                        initialize_locked(r);
                        first = true;
                    } catch (...) {
                        // No memory to start (settings, the component bundle, the exit
                        // handler): off for the rest of the process, said once.
                        t_initializing = false;
                        r.state.store(int(run_state::finalized));
                        warn_plain("no memory to start timemory: this process is not measured");
                    }
                }
            }
            s = r.state.load();
        }
        // Outside the lock: calibration registers sites and runs the entry points.
        if (first && s == int(run_state::running) && settings::current().compensate) {
            fp_env_guard fp;
            errno_guard keep_errno;
            calibrate_overhead(); // without memory it measures nothing: no compensation
        }
    }
    return s == int(run_state::running);
}

thread_state* attach_thread() noexcept {
    if (!ensure_initialized()) return nullptr;
    runtime& r = rt_state();
    thread_state* ts = nullptr;
    try {
        runtime_lock lk(r.mutex);
        auto owned = std::make_unique<thread_state>(uint32_t(r.threads.size()), r.comps);
        reserve_more(r.live_children, r.threads.size() + 1 - r.live_children.size());
        reserve_more(r.threads, 1);
        r.live_children.resize(r.threads.size() + 1, 0);
        r.threads.push_back(owned.get());
        ts = owned.release();
        pending_parent(&ts->parent_thread, &ts->parent_node);
        if (ts->parent_thread >= 0 && size_t(ts->parent_thread) < r.live_children.size())
            r.live_children[size_t(ts->parent_thread)] += 1;
    } catch (...) {
        return nullptr; // no memory for this thread's state: it records nothing
    }
    pthread_setspecific(g_thread_key, ts);
    t_state = ts;
    return ts;
}

bool register_site(timemory_site* s) noexcept {
    runtime& r = rt_state();
    runtime_lock lk(r.mutex);
    if (s->id != 0) return true; // another thread won the race
    if (s->abi != TIMEMORY_SITE_ABI) {
        // A producer built against another layout: its fields cannot be trusted.
        __atomic_fetch_or(&s->flags, uint32_t(TIMEMORY_SITE_DISABLED), __ATOMIC_RELAXED);
        ++r.bad_abi_sites;
        return false;
    }
    // The registry holds the runtime's own copy of the site, never the producer's: a
    // library's static sites and their strings go away with dlclose, long before the
    // reports read them. Copies are interned by what the site is, so a library loaded
    // again (or one function instrumented in two libraries) finds the same node.
    timemory_site* own = intern_site(s->name ? s->name : "<unnamed>", s->linkage, s->file, s->line,
                                     s->flags & TIMEMORY_SITE_LANG_MASK);
    if (own != s && own == no_memory_site()) return false; // not measured this time
    if (own->id == 0) {
        // Runtime filters are decided once per site; afterwards a filtered site costs one
        // load and one branch per enter/exit.
        auto matches = [own](const name_filter& re) {
            return re.search(own->name) || re.search(own->linkage);
        };
        if ((r.include_filter && !matches(*r.include_filter)) ||
            (r.exclude_filter && matches(*r.exclude_filter)))
            __atomic_fetch_or(&own->flags, uint32_t(TIMEMORY_SITE_DISABLED), __ATOMIC_RELAXED);
        try {
            reserve_more(r.sites, 2);
            if (r.sites.empty()) r.sites.push_back(nullptr); // id 0 means "not registered"
            r.sites.push_back(own);
        } catch (...) {
            return false; // no memory to register it: not measured this time, tried again later
        }
        __atomic_store_n(&own->id, uint32_t(r.sites.size() - 1), __ATOMIC_RELEASE);
    }
    if (own != s) {
        __atomic_fetch_or(&s->flags, site_flags(own) & uint32_t(TIMEMORY_SITE_DISABLED),
                          __ATOMIC_RELAXED);
        __atomic_store_n(&s->id, own->id, __ATOMIC_RELEASE);
    }
    return true;
}

namespace {

// An interned site's identity, as views: of the site's own (copied) strings in the table,
// of the caller's strings in a lookup (no allocation to find a site that exists).
struct site_key {
    std::string_view name, linkage, file;
    unsigned line, language;
    bool operator==(const site_key&) const = default;
};
struct site_key_hash {
    using is_transparent = void;
    size_t operator()(const site_key& k) const noexcept {
        size_t h = std::hash<std::string_view>()(k.name);
        h ^= std::hash<std::string_view>()(k.linkage) * 3;
        h ^= std::hash<std::string_view>()(k.file) * 7;
        return h ^ (size_t(k.line) << 8) ^ k.language;
    }
};

// Interned sites, their strings and the table's own memory come from pages that are never
// given back (sites live as long as the process), not from malloc: a site's first call
// interns it, and may come from a signal handler that interrupted malloc. Under names_mutex.
page_arena g_names_arena;

using interned_table =
    std::unordered_map<site_key, timemory_site*, site_key_hash, std::equal_to<site_key>,
                       arena_allocator<std::pair<const site_key, timemory_site*>, g_names_arena>>;

// Created when the library loads, not at the first region: a function-local static would be
// constructed under a guard that a fork() from another thread can copy held into the child
// (which then waits on it forever at its first region).
auto* const g_interned = new interned_table;

timemory_site g_no_memory_site{
    0, TIMEMORY_LANG_REGION, "<no memory for region name>", "<no memory for region name>", "",
    0, TIMEMORY_SITE_ABI};

// A copy of `text` in the arena, or nullptr.
const char* copy_name(const char* text) noexcept {
    const size_t n = std::strlen(text) + 1;
    auto* p = static_cast<char*>(g_names_arena.allocate(n));
    if (p) std::memcpy(p, text, n);
    return p;
}

} // namespace

timemory_site* no_memory_site() noexcept {
    return &g_no_memory_site;
}

timemory_site* intern_site(const char* name, const char* linkage, const char* file, unsigned line,
                           unsigned language) noexcept {
    if (!name) name = "<null>";
    if (!linkage) linkage = name;
    if (!file) file = "";
    const site_key key{name, linkage, file, line, language};
    try {
        runtime_lock lk(rt_state().names_mutex);
        auto it = g_interned->find(key);
        if (it != g_interned->end()) return it->second;
        // Copies that live as long as the process: sites are never freed.
        const char* n = copy_name(name);
        const char* l = std::strcmp(linkage, name) == 0 ? n : copy_name(linkage);
        const char* f = *file ? copy_name(file) : "";
        void* at = g_names_arena.allocate(sizeof(timemory_site));
        if (!n || !l || !f || !at) throw std::bad_alloc();
        auto* site = new (at) timemory_site{0, language, n, l, f, line, TIMEMORY_SITE_ABI};
        g_interned->emplace(site_key{site->name, site->linkage, site->file, line, language}, site);
        return site;
    } catch (...) {
        // Out of memory: measured under one shared name rather than not at all.
        g_unrecorded.unnamed.fetch_add(1, std::memory_order_relaxed);
        return &g_no_memory_site;
    }
}

timemory_site* region_site(const char* name) noexcept {
    if (!name) name = "<null>";
    // A small per-thread cache keyed by the pointer avoids the lock for names passed as
    // literals; strcmp guards against a reused buffer holding another name.
    struct entry {
        const char* key;
        timemory_site* site;
    };
    static thread_local entry cache[64];
    entry& e = cache[(reinterpret_cast<uintptr_t>(name) >> 3) & 63];
    if (e.key == name && std::strcmp(e.site->name, name) == 0) return e.site;
    timemory_site* site = intern_site(name, name, "", 0, TIMEMORY_LANG_REGION);
    if (site != &g_no_memory_site) e = entry{name, site};
    return site;
}

const timemory_site* site_by_id(uint32_t id) {
    runtime& r = rt_state();
    runtime_lock lk(r.mutex);
    return id < r.sites.size() ? r.sites[id] : nullptr;
}

failure_counts total_failures() {
    runtime& r = rt_state();
    runtime_lock lk(r.mutex);
    failure_counts f = r.folded_failures;
    for (auto* t : r.threads)
        if (t) f += t->failures;
    f.inside_runtime += g_unrecorded.inside_runtime.load(std::memory_order_relaxed);
    f.unnamed_no_memory += g_unrecorded.unnamed.load(std::memory_order_relaxed);
    f.no_memory += g_unrecorded.no_memory.load(std::memory_order_relaxed);
    return f;
}

namespace {
std::atomic<int> g_report_pid{0};
}

int report_pid() noexcept {
    const int p = g_report_pid.load(std::memory_order_relaxed);
    return p ? p : int(getpid());
}

void set_report_pid(int pid) noexcept {
    g_report_pid.store(pid);
}

std::string program_name() {
    runtime& r = rt_state();
    std::string p = r.argv.empty() ? std::string(program_invocation_short_name) : r.argv[0];
    auto slash = p.find_last_of('/');
    if (slash != std::string::npos) p = p.substr(slash + 1);
    return p.empty() ? "program" : p;
}

void quiesce_threads() noexcept {
    runtime& r = rt_state();
    process_barrier();
    std::vector<thread_state*> threads;
    {
        runtime_lock lk(r.mutex);
        threads.assign(r.threads.begin(), r.threads.end());
    }
    // Entry points take nanoseconds; a thread still busy after this long is stopped (a
    // debugger) or was interrupted inside one by a signal whose handler ends here.
    const int64_t deadline = clock_ns(CLOCK_MONOTONIC) + 200000000;
    for (thread_state* t : threads) {
        if (!t || t == t_state) continue;
        while (__atomic_load_n(&t->busy, __ATOMIC_ACQUIRE)) {
            if (clock_ns(CLOCK_MONOTONIC) > deadline) {
                t->unreadable = true;
                warn("thread " + std::to_string(t->index) + " (tid " + std::to_string(t->tid) +
                     ") was still inside timemory after 200 ms; its measurements are left "
                     "out of the reports");
                break;
            }
            sched_yield();
        }
    }
}

void finalize() noexcept {
    errno_guard keep_errno;
    runtime& r = rt_state();
    int expected = int(run_state::running);
    if (!r.state.compare_exchange_strong(expected, int(run_state::finalizing))) {
        // A fatal signal while finalize is under way: most likely it waits in a collective
        // step that a dead MPI rank will never join. The data is complete (the first
        // finalize stopped every thread): write it here, locally, once.
        static std::atomic<bool> wrote_locally{false};
        if (expected == int(run_state::finalizing) && g_finalizing_on_signal.load() &&
            settings::current().auto_output && !wrote_locally.exchange(true)) {
            fp_env_guard fp;
            write_all_reports();
        }
        return;
    }
    update_recording();
    fp_env_guard fp;
    // A thread that finalizes from inside an entry point (a fatal signal handler that
    // interrupted one) cannot trust its own half-updated state: it is left out.
    thread_state* self = t_state;
    const bool self_ok = self && !self->busy;
    if (self && !self_ok) {
        self->unreadable = true;
        warn("the signal came while thread " + std::to_string(self->index) +
             " was inside timemory: its measurements are left out of the reports (they may "
             "be half-updated)");
    }
    if (self_ok) {
        self->set_busy();
        self->close_all(r.comps, r.options);
    }
    // From here no other thread changes its graph: they all see the runtime stopped.
    quiesce_threads();
    r.enabled.store(false);
    if (!g_finalizing_on_signal.load()) backends_at_finalize();
    const auto& v = settings::current();
    // Nothing may escape from here: finalize runs in the program's exit path.
    try {
        auto handler = g_finalizing_on_signal.load() ? nullptr : g_finalize_handler.load();
        if (handler && handler()) {
            if (v.auto_output) write_backend_reports(); // per process: not gathered
        } else if (v.auto_output) {
            write_all_reports();
        }
    } catch (const std::exception& e) {
        warn_plain("the reports could not be written: ", e.what());
    } catch (...) {
        warn_plain("the reports could not be written: unknown error");
    }
    failure_counts f = total_failures();
    // The messages are built in memory that may be gone: then said plainly, or not at all.
    try {
        if (f.no_memory > 0)
            warn(std::to_string(f.no_memory) +
                 " calls were not recorded: the process had no memory left for their "
                 "call-graph nodes");
        if (f.unnamed_no_memory > 0)
            warn(std::to_string(f.unnamed_no_memory) +
                 " calls are reported under '<no memory for region name>': the process had no "
                 "memory left to keep their names");
        if (f.past_max_depth > 0)
            notice(std::to_string(f.past_max_depth) +
                   " calls deeper than TIMEMORY_MAX_DEPTH=" + std::to_string(v.max_depth) +
                   " were not recorded (their time is in the frames above them)");
        if (f.inside_runtime > 0)
            notice(std::to_string(f.inside_runtime) +
                   " calls were not recorded: signal handlers made them while their thread "
                   "was inside timemory (metadata.json: failures)");
        if (f.reconciled + f.unmatched + f.closed_at_end + r.bad_abi_sites > 0)
            info(1, "reconciled " + std::to_string(f.reconciled) +
                        " frames skipped by exceptions or longjmp, ignored " +
                        std::to_string(f.unmatched) + " unmatched exits, closed " +
                        std::to_string(f.closed_at_end) + " regions open at the end, refused " +
                        std::to_string(r.bad_abi_sites) + " sites of an unknown ABI");
    } catch (...) {
        if (f.no_memory > 0 && verbosity() >= 0)
            std::fputs("[timemory] warning: calls were not recorded: the process had no memory "
                       "left for their call-graph nodes\n",
                       stderr);
    }
    r.state.store(int(run_state::finalized));
    update_recording();
    if (self_ok) self->clear_busy();
}

} // namespace timemory::rt
