// A host program that checks the runtime leaves it as it was: each scenario is a
// subcommand (see guest_test.cpp). It uses the C interface the Clang plugin emits, with
// sites of compiled functions (throttling applies to them, not to manual regions).
#include <fenv.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <timemory/timemory.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "../common/host_program.hpp"

using tmtest::make_site;
using tmtest::spin_ns;

namespace {

timemory_site s_main = make_site("main");
timemory_site s_hot = make_site("hot");
timemory_site s_callee = make_site("callee");
timemory_site s_long = make_site("long_call");
timemory_site s_worker = make_site("worker");
timemory_site s_wait = make_site("wait_for_worker");

// ---- fp: the floating-point environment and errno are the program's own ----------------

int g_fp_traps = 0;
constexpr int all_traps = FE_DIVBYZERO | FE_INVALID | FE_OVERFLOW | FE_UNDERFLOW | FE_INEXACT;

// Before main, and so before the runtime starts: traps on (GUEST_FP_TRAPS=1), a
// rounding mode of the program's choice, no flag raised.
__attribute__((constructor(101))) void set_fp_environment() {
    const char* traps = std::getenv("GUEST_FP_TRAPS");
    if (traps && std::strcmp(traps, "1") == 0) g_fp_traps = all_traps;
    fesetround(FE_DOWNWARD);
    feclearexcept(FE_ALL_EXCEPT);
    if (g_fp_traps) feenableexcept(g_fp_traps);
}

// Returns a description of what changed, "" when nothing did.
std::string fp_changes() {
    std::string out;
    if (int f = fetestexcept(FE_ALL_EXCEPT)) out += " flags=" + std::to_string(f);
    if (fegetround() != FE_DOWNWARD) out += " rounding=" + std::to_string(fegetround());
    if (fegetexcept() != g_fp_traps) out += " traps=" + std::to_string(fegetexcept());
    return out;
}

// After every atexit handler, so after the runtime wrote its reports.
__attribute__((destructor)) void check_fp_at_exit() {
    const char* mode = std::getenv("GUEST_MODE");
    if (!mode || std::strcmp(mode, "fp") != 0) return;
    std::string changes = fp_changes();
    std::fprintf(stderr, "guest: fp at exit:%s\n",
                 changes.empty() ? " unchanged" : changes.c_str());
    if (!changes.empty()) _exit(3);
}

void* fp_thread(void*) {
    timemory_enter(&s_worker);
    for (int i = 0; i < 3000; ++i) {
        timemory_enter(&s_hot);
        timemory_exit(&s_hot);
    }
    timemory_exit(&s_worker);
    return nullptr;
}

int fp_mode() {
    errno = 4242; // the first call starts the runtime: config files, /proc, ...
    timemory_enter(&s_main);
    int errno_after_start = errno;
    // 20 000 short calls: the throttling decision comes at 10 000.
    for (int i = 0; i < 20000; ++i) {
        timemory_enter(&s_hot);
        timemory_exit(&s_hot);
    }
    // A 40 ms call: its square in ticks is far beyond 2^53.
    timemory_enter(&s_long);
    spin_ns(40000000);
    timemory_exit(&s_long);
    pthread_t t;
    pthread_create(&t, nullptr, fp_thread, nullptr);
    pthread_join(t, nullptr);
    errno = 4343;
    timemory_exit(&s_main);
    int errno_after_exit = errno;
    std::string changes = fp_changes();
    std::printf("guest: fp in main:%s\n", changes.empty() ? " unchanged" : changes.c_str());
    std::printf("guest: errno %d %d\n", errno_after_start, errno_after_exit);
    return changes.empty() && errno_after_start == 4242 && errno_after_exit == 4343 ? 0 : 3;
}

// ---- pipe: stdout is the program's data --------------------------------------------

int pipe_mode() {
    timemory_enter(&s_main);
    unsigned char bytes[256];
    for (int i = 0; i < 256; ++i)
        bytes[i] = static_cast<unsigned char>(i);
    for (int k = 0; k < 64; ++k) {
        timemory_enter(&s_hot);
        std::fwrite(bytes, 1, sizeof(bytes), stdout);
        timemory_exit(&s_hot);
    }
    timemory_exit(&s_main);
    return 0;
}

// ---- worker-exit: exit() from a worker while main waits ----------------------------

void* exiting_worker(void*) {
    timemory_enter(&s_worker);
    spin_ns(30000000);
    std::exit(7); // the worker's frame and main's frames are all still open
}

int worker_exit_mode() {
    timemory_enter(&s_main);
    std::printf("guest: buffered line before exit"); // no newline: exit() must flush it
    pthread_t t;
    pthread_create(&t, nullptr, exiting_worker, nullptr);
    timemory_enter(&s_wait);
    pthread_join(t, nullptr); // never returns
    timemory_exit(&s_wait);
    timemory_exit(&s_main);
    return 0;
}

// ---- throttle: a short hot function with a long callee -----------------------------

// The same work as `hot`, in a manual region: never throttled, so every call is timed. The
// two alternate, so whatever slows the machine down slows both alike.
timemory_site s_hot_ref = {0,        TIMEMORY_LANG_REGION, "hot_ref", "hot_ref", __FILE__,
                           __LINE__, TIMEMORY_SITE_ABI};

// A fixed amount of work (not a fixed time), with a callee worth timing once in a while.
void hot_body(int i) {
    volatile unsigned x = 0;
    for (int k = 0; k < 300; ++k)
        x = x + unsigned(k);
    if (i % 1000 == 999) {
        timemory_enter(&s_callee);
        spin_ns(50000);
        timemory_exit(&s_callee);
    }
}

int throttle_mode() {
    timemory_enter(&s_main);
    for (int i = 0; i < 100000; ++i) {
        timemory_enter(&s_hot);
        hot_body(i);
        timemory_exit(&s_hot);
        timemory_enter(&s_hot_ref);
        hot_body(i);
        timemory_exit(&s_hot_ref);
    }
    timemory_exit(&s_main);
    return 0;
}

// ---- concurrent: one of several runs of the program at the same time ----------------

timemory_site s_run = make_site("run");

int concurrent_mode(const char* tag) {
    s_run.name = s_run.linkage = tag; // argv outlives the reports written at exit
    timemory_enter(&s_main);
    timemory_enter(&s_run);
    spin_ns(100000000); // long enough for the runs to overlap
    timemory_exit(&s_run);
    timemory_exit(&s_main);
    return 0;
}

// ---- pool: a thread pool whose create returns at once; the work is joined later ------

timemory_site s_pool_create = make_site("pool_create");
timemory_site s_pool_join = make_site("pool_join");
pthread_t g_pool[2];

void* pool_worker(void*) {
    timemory_enter(&s_worker);
    spin_ns(20000000);
    timemory_exit(&s_worker);
    return nullptr;
}

int pool_mode() {
    timemory_enter(&s_main);
    timemory_enter(&s_pool_create);
    for (auto& t : g_pool)
        pthread_create(&t, nullptr, pool_worker, nullptr);
    timemory_exit(&s_pool_create); // returns while the workers run
    timemory_enter(&s_pool_join);
    for (auto& t : g_pool)
        pthread_join(t, nullptr);
    timemory_exit(&s_pool_join);
    timemory_exit(&s_main);
    return 0;
}

// ---- maps: which optional libraries the process has mapped after using the runtime -----

int maps_mode() {
    timemory_enter(&s_main);
    timemory_exit(&s_main);
    FILE* f = std::fopen("/proc/self/maps", "r");
    if (!f) return 2;
    char line[4096];
    std::string found;
    while (std::fgets(line, sizeof(line), f)) {
        for (const char* lib : {"libpapi", "libpfm", "libcuda", "libcupti", "libfmt"}) {
            if (std::strstr(line, lib) && found.find(lib) == std::string::npos)
                found += std::string(found.empty() ? "" : " ") + lib;
        }
    }
    std::fclose(f);
    std::printf("mapped: [%s]\n", found.c_str());
    return 0;
}

// ---- names: region names and files that are not valid UTF-8, or hold terminal escapes --

timemory_site s_latin1{
    0, TIMEMORY_LANG_CXX, "caf\xe9_latin1", "caf\xe9_latin1", "/src/r\xe9sum\xe9.cpp",
    3, TIMEMORY_SITE_ABI};

int names_mode() {
    timemory_enter(&s_main);
    timemory_push_region("bad\xff\xfe bytes");
    timemory_pop_region("bad\xff\xfe bytes");
    timemory_push_region("\x1b[31mred\x1b[0m");
    timemory_pop_region("\x1b[31mred\x1b[0m");
    timemory_enter(&s_latin1);
    timemory_exit(&s_latin1);
    std::printf("done\n"); // buffered: lost if the exit path aborted
    timemory_exit(&s_main);
    return 0;
}

// ---- signals: the program's own handlers and ignored signals stay its own ------------

volatile sig_atomic_t g_terms = 0;

// A SIGTERM handler and an ignored SIGINT, set before the runtime starts; then both
// signals: the program goes on and exits normally.
int sig_user_mode() {
    std::signal(SIGTERM, [](int) { g_terms = g_terms + 1; });
    std::signal(SIGINT, SIG_IGN);
    timemory_enter(&s_main);
    std::raise(SIGTERM);
    std::raise(SIGINT);
    timemory_exit(&s_main);
    std::printf("terms=%d\n", int(g_terms));
    return 0;
}

// The program's own SIGSEGV handler (a backtrace printer, say): called after the reports.
int sig_chain_mode() {
    std::signal(SIGSEGV, [](int) {
        const char msg[] = "guest: my handler\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        (void)ignored;
        _exit(42);
    });
    timemory_enter(&s_main);
    timemory_enter(&s_worker);
    std::raise(SIGSEGV);
    return 0;
}

// Registers new region names as fast as it can, until a signal ends it.
int sig_storm_mode() {
    timemory_enter(&s_main);
    std::printf("ready\n");
    std::fflush(stdout);
    char name[64];
    for (unsigned long i = 0;; ++i) {
        std::snprintf(name, sizeof(name), "region-%lu", i % 200000);
        timemory_push_region(name);
        timemory_pop_region(name);
    }
}

// ---- fork-storm: fork while other threads register names and record --------------

std::atomic<bool> g_stop{false};
std::atomic<bool> g_park{false}; // asks the threads to wait outside timemory
std::atomic<int> g_parked{0};
// Whether LeakSanitizer's check at exit means anything in this process (read by LSan
// through __lsan_is_turned_off below; unused without it). A child forked while other
// threads were inside timemory cannot pass it: memory such a thread was allocating at
// that moment (a graph's new hash table, only in its registers and stack) is held by no
// root in the child, where that thread does not exist. Those children check only that
// they never hang; children forked while the threads are parked check for leaks.
int g_leak_check_meaningful = 1;

void* name_registering_thread(void* arg) {
    const long t = long(arg);
    char name[64];
    for (unsigned long i = 0; !g_stop.load(); ++i) {
        if (g_park.load()) {
            g_parked.fetch_add(1);
            while (g_park.load() && !g_stop.load())
                usleep(100);
            g_parked.fetch_sub(1);
        }
        std::snprintf(name, sizeof(name), "t%ld-%lu", t, i % 500);
        timemory_push_region(name);
        timemory_enter(&s_hot);
        timemory_exit(&s_hot);
        timemory_pop_region(name);
    }
    return nullptr;
}

int fork_storm_mode() {
    timemory_enter(&s_main);
    pthread_t threads[4];
    for (long t = 0; t < 4; ++t)
        pthread_create(&threads[t], nullptr, name_registering_thread, (void*)t);
    int hangs = 0, failed = 0;
    // 20 forks while the threads record, then 5 while they wait (alive, with their graphs)
    // outside timemory: those children free every other thread's state, leak-checked.
    for (int k = 0; k < 25; ++k) {
        const bool parked = k >= 20;
        if (parked) {
            g_park = true;
            while (g_parked.load() < 4)
                usleep(100);
        }
        pid_t child = fork();
        if (child == 0) {
            g_leak_check_meaningful = parked;
            // The child registers a name and starts a thread: every lock must be free.
            timemory_push_region("in-child");
            timemory_pop_region("in-child");
            std::exit(0);
        }
        g_park = false;
        bool done = false;
        for (int i = 0; i < 500 && !done; ++i) { // 5 s
            int status = 0;
            if (waitpid(child, &status, WNOHANG) == child) {
                done = true;
                failed += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
            } else {
                usleep(10000);
            }
        }
        if (!done) {
            ++hangs;
            kill(child, SIGKILL);
            waitpid(child, nullptr, 0);
        }
    }
    g_stop = true;
    for (auto& t : threads)
        pthread_join(t, nullptr);
    timemory_exit(&s_main);
    std::printf("hangs=%d failed=%d\n", hangs, failed);
    return 0;
}

// ---- long-name: a 50 000-character region name against hostile filters -------------

int long_name_mode() {
    timemory_enter(&s_main);
    std::string name(50000, 'a');
    for (int i = 0; i < 20; ++i) { // 20 distinct names: each is filtered once
        name[size_t(i)] = 'b';
        timemory_push_region(name.c_str());
        timemory_pop_region(name.c_str());
    }
    timemory_exit(&s_main);
    return 0;
}

// ---- deep: a call chain N deep (recursion), three times --------------------------------

timemory_site s_rec = make_site("rec");

__attribute__((noinline)) void rec(int d) {
    timemory_enter(&s_rec);
    if (d > 1) rec(d - 1);
    timemory_exit(&s_rec);
}

int deep_mode(int depth) {
    for (int i = 0; i < 3; ++i)
        rec(depth);
    return 0;
}

// ---- wide: n distinct regions under 100 parents, each entered twice ------------------

long rss_kb(const char* field = "VmRSS");

// Records 2 x (n regions under 100 parents).
void record_wide(int n) {
    char name[64];
    for (int round = 0; round < 2; ++round)
        for (int p = 0; p < 100; ++p) {
            std::snprintf(name, sizeof(name), "parent_%d", p);
            timemory_push_region(name);
            for (int i = p; i < n; i += 100) {
                std::snprintf(name, sizeof(name), "region_%d", i);
                timemory_push_region(name);
                timemory_pop_region(name);
            }
            std::snprintf(name, sizeof(name), "parent_%d", p);
            timemory_pop_region(name);
        }
}

// Records a graph with `record`, writes the reports, and prints
// "report_memory_kb <graph> <peak>":
// what recording added to the resident size, and the peak while finalize wrote the
// reports above the size before recording (-1: the peak could not be reset,
// /proc/self/clear_refs).
template <typename Record>
int report_memory(Record&& record) {
    timemory_init(0, nullptr);
    const long before = rss_kb();
    record();
    const long graph = rss_kb() - before;
    FILE* reset = std::fopen("/proc/self/clear_refs", "w");
    const bool peak_reset = reset && std::fputs("5", reset) >= 0 && std::fclose(reset) == 0;
    timemory_finalize();
    std::printf("report_memory_kb %ld %ld\n", graph, peak_reset ? rss_kb("VmHWM") - before : -1L);
    return 0;
}

int wide_mode(int n) {
    return report_memory([n] { record_wide(n); });
}

// ---- long-chain: a chain n deep of distinct 200-character region names ---------------

// Records the chain, writes the reports, and prints "report_memory_kb <graph> <peak>" as
// wide does.
int long_chain_mode(int n) {
    return report_memory([n] {
        std::vector<std::string> names;
        for (int d = 0; d < n; ++d)
            names.push_back("level_" + std::to_string(100000 + d) + "_" + std::string(187, 'x'));
        for (int d = 0; d < n; ++d)
            timemory_push_region(names[size_t(d)].c_str());
        for (int d = n; d-- > 0;)
            timemory_pop_region(names[size_t(d)].c_str());
    });
}

// ---- return-while-recording: main returns while four threads keep recording ----------

void* forever_recording(void*) {
    char name[32];
    for (unsigned long i = 0;; ++i) {
        std::snprintf(name, sizeof(name), "w-%lu", i % 64);
        timemory_push_region(name);
        timemory_enter(&s_hot);
        timemory_exit(&s_hot);
        timemory_pop_region(name);
    }
    return nullptr;
}

int return_while_recording_mode() {
    timemory_enter(&s_main);
    for (int i = 0; i < 4; ++i) {
        pthread_t t;
        pthread_create(&t, nullptr, forever_recording, nullptr);
        pthread_detach(t);
    }
    tmtest::spin_ns(5000000);
    timemory_exit(&s_main);
    return 0; // exit() runs while the threads still record
}

// ---- write-slowly: a large graph, so that writing the reports at exit takes a while -----

int write_slowly_mode() {
    timemory_enter(&s_main);
    record_wide(40000);
    timemory_exit(&s_main);
    std::printf("writing\n");
    std::fflush(stdout);
    return 0;
}

// ---- no-memory: distinct regions until the address-space limit is reached -----------------

int no_memory_mode() {
    // 16 MiB above what the process maps now: the graph runs out of memory (after some
    // 40 000 regions) long before the loop ends.
    long kb = 0;
    if (FILE* f = std::fopen("/proc/self/status", "r")) {
        char line[256];
        while (std::fgets(line, sizeof(line), f))
            if (std::strncmp(line, "VmSize:", 7) == 0) kb = std::atol(line + 7);
        std::fclose(f);
    }
    rlimit lim{rlim_t(kb + 16 * 1024) * 1024, rlim_t(kb + 16 * 1024) * 1024};
    if (setrlimit(RLIMIT_AS, &lim) != 0) return 3;
    timemory_enter(&s_main);
    char name[64];
    for (int i = 0; i < 200000; ++i) {
        std::snprintf(name, sizeof(name), "region-with-a-longer-name-%d", i);
        timemory_push_region(name);
        timemory_pop_region(name);
    }
    timemory_exit(&s_main);
    std::printf("done\n");
    return 0;
}

// ---- churn: thousands of short threads, each starting one of its own ------------------

timemory_site s_churn = make_site("churn");
timemory_site s_nested = make_site("nested_worker");

void* nested_worker(void*) {
    timemory_enter(&s_nested);
    timemory_enter(&s_callee);
    timemory_exit(&s_callee);
    timemory_exit(&s_nested);
    return nullptr;
}

void* churn_worker(void*) {
    timemory_enter(&s_worker);
    pthread_t t;
    pthread_create(&t, nullptr, nested_worker, nullptr);
    timemory_enter(&s_callee); // the same function as on the nested thread
    timemory_exit(&s_callee);
    pthread_join(t, nullptr);
    timemory_exit(&s_worker);
    return nullptr;
}

// Resident memory in kB (VmRSS, or VmHWM: the peak).
long rss_kb(const char* field) {
    FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kb = -1;
    while (std::fgets(line, sizeof(line), f))
        if (std::strncmp(line, field, std::strlen(field)) == 0 &&
            std::sscanf(line + std::strlen(field), ": %ld", &kb) == 1)
            break;
    std::fclose(f);
    return kb;
}

bool g_churn = false;

// After the runtime wrote its reports: the peak, reports included.
__attribute__((destructor)) void churn_peak_at_exit() {
    if (g_churn) std::fprintf(stderr, "peak_kb %ld\n", rss_kb("VmHWM"));
}

// Prints the resident memory after the first rounds and at the end: what the runtime
// keeps of finished threads must not grow with their number.
int churn_mode(int rounds) {
    g_churn = true;
    timemory_enter(&s_main);
    timemory_enter(&s_churn);
    long early = 0;
    for (int i = 0; i < rounds; ++i) {
        pthread_t t[4];
        for (auto& x : t)
            pthread_create(&x, nullptr, churn_worker, nullptr);
        for (auto& x : t)
            pthread_join(x, nullptr);
        if (i == rounds / 10) early = rss_kb();
    }
    std::printf("rss_kb %ld %ld\n", early, rss_kb());
    timemory_exit(&s_churn);
    timemory_exit(&s_main);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "fp") return fp_mode();
    if (mode == "pipe") return pipe_mode();
    if (mode == "worker-exit") return worker_exit_mode();
    if (mode == "throttle") return throttle_mode();
    if (mode == "pool") return pool_mode();
    if (mode == "maps") return maps_mode();
    if (mode == "names") return names_mode();
    if (mode == "sig-user") return sig_user_mode();
    if (mode == "sig-chain") return sig_chain_mode();
    if (mode == "sig-storm") return sig_storm_mode();
    if (mode == "fork-storm") return fork_storm_mode();
    if (mode == "long-name") return long_name_mode();
    if (mode == "churn" && argc > 2) return churn_mode(std::atoi(argv[2]));
    if (mode == "deep" && argc > 2) return deep_mode(std::atoi(argv[2]));
    if (mode == "wide" && argc > 2) return wide_mode(std::atoi(argv[2]));
    if (mode == "long-chain" && argc > 2) return long_chain_mode(std::atoi(argv[2]));
    if (mode == "return-while-recording") return return_while_recording_mode();
    if (mode == "write-slowly") return write_slowly_mode();
    if (mode == "no-memory") return no_memory_mode();
    if (mode == "concurrent" && argc > 2) return concurrent_mode(argv[2]);
    std::fprintf(stderr,
                 "usage: %s "
                 "fp|pipe|worker-exit|throttle|pool|maps|names|sig-user|sig-chain|sig-storm|fork-"
                 "storm|long-name|churn N|deep N|wide N|long-chain N|concurrent TAG\n",
                 argv[0]);
    return 2;
}

// LeakSanitizer asks this before its check at exit (see g_leak_check_meaningful).
extern "C" __attribute__((visibility("default"), used)) int __lsan_is_turned_off() {
    return !g_leak_check_meaningful;
}
