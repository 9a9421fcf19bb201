// A host program that does unusual but legitimate things to the runtime: unloads a library
// whose functions were measured, forks while another thread starts the runtime, measures
// calls from signal handlers, ends with quick_exit or exec. Each scenario is a subcommand
// (see unusual_test.cpp). Sites are made as the Clang plugin makes them.
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <timemory/timemory.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "../common/host_program.hpp"

using tmtest::make_site;
using tmtest::spin_ns;

namespace {

timemory_site s_main = make_site("main");
timemory_site s_first = make_site("first_call");
timemory_site s_child = make_site("in_child");

// ---- dlclose: a measured library unloaded before exit --------------------------------

using plugin_fn = int (*)(int);

// Opens `lib`, calls plugin_work `calls` times, closes it unless `keep`.
bool use_plugin(const char* lib, int calls, bool keep) {
    void* h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        std::fprintf(stderr, "unusual: %s\n", dlerror());
        return false;
    }
    auto fn = reinterpret_cast<plugin_fn>(dlsym(h, "plugin_work"));
    for (int i = 0; fn && i < calls; ++i)
        fn(i);
    if (!keep) dlclose(h);
    return fn != nullptr;
}

// The library is gone when the reports are written; the program's buffered output (no
// newline, not flushed) and its exit status must survive.
int dlclose_mode(const char* lib) {
    timemory_enter(&s_main);
    if (!use_plugin(lib, 3, false)) return 2;
    timemory_exit(&s_main);
    std::printf("unusual: buffered output of the program");
    return 3;
}

// Opened and closed `n` times, one call each, the last time kept open.
int reload_mode(const char* lib, int n) {
    timemory_enter(&s_main);
    for (int i = 0; i < n; ++i)
        if (!use_plugin(lib, 1, i == n - 1)) return 2;
    timemory_exit(&s_main);
    return 0;
}

// ---- fork-at-start: fork while another thread makes the process's first call ----------

std::atomic<bool> g_go{false};

void* first_caller(void*) {
    while (!g_go.load()) {
    }
    timemory_enter(&s_first);
    timemory_exit(&s_first);
    return nullptr;
}

// Prints "child ok" when the child ended by itself within 10 s, "child hung" otherwise.
int fork_at_start_mode() {
    pthread_t t;
    pthread_create(&t, nullptr, first_caller, nullptr);
    g_go.store(true);
    const pid_t child = fork();
    if (child == 0) {
        timemory_enter(&s_child);
        timemory_exit(&s_child);
        std::exit(0); // the child's reports are written at its exit
    }
    pthread_join(t, nullptr);
    int status = 0;
    bool done = false;
    for (int i = 0; i < 1000 && !done; ++i) {
        done = waitpid(child, &status, WNOHANG) == child;
        if (!done) usleep(10000);
    }
    if (!done) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
    }
    std::printf("child %s\n",
                done && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "hung");
    return 0;
}

// ---- signals: measured calls from a signal handler ------------------------------------

timemory_site s_handled = make_site("in_handler");
timemory_site s_hot = make_site("hot");
volatile sig_atomic_t g_handled = 0;

void on_alarm(int) {
    const int saved = errno;
    timemory_enter(&s_handled);
    timemory_exit(&s_handled);
    g_handled = g_handled + 1;
    errno = saved;
}

void start_timer(long interval_us) {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, nullptr);
    itimerval t{{0, interval_us}, {0, interval_us}};
    setitimer(ITIMER_REAL, &t, nullptr);
}

void stop_timer() {
    itimerval t{};
    setitimer(ITIMER_REAL, &t, nullptr);
}

// The first measured calls come from a SIGALRM handler while main does nothing but malloc
// and free: most signals land inside malloc. `started`: the runtime was started before (as
// in a program built with the wrappers, where it starts when the program loads), so only
// the thread's first call, the site's and the node's come from the handler; else the
// process's very first call does. Prints how many calls the handler made.
int signal_first_mode(bool started) {
    if (started) timemory_init(0, nullptr);
    start_timer(100);
    void* blocks[64] = {};
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    unsigned rng = 12345;
    while (std::chrono::steady_clock::now() < end) {
        for (auto& b : blocks) {
            rng = rng * 1103515245u + 12345u;
            std::free(b);
            b = std::malloc(16 + (rng >> 16) % 4096);
        }
    }
    stop_timer();
    for (auto& b : blocks)
        std::free(b);
    timemory_enter(&s_main); // a call outside the handler
    timemory_exit(&s_main);
    std::printf("handled %d\n", int(g_handled));
    return 0;
}

// main records short calls for 300 ms while a 100 us timer's handler makes calls of its
// own. Prints how many calls the handler made.
int signal_counts_mode() {
    timemory_enter(&s_main);
    start_timer(100);
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (std::chrono::steady_clock::now() < end) {
        for (int i = 0; i < 100; ++i) {
            timemory_enter(&s_hot);
            timemory_exit(&s_hot);
        }
    }
    stop_timer();
    timemory_exit(&s_main);
    std::printf("handled %d\n", int(g_handled));
    return 0;
}

// ---- throttle-hog: a throttled function's estimate while other processes take the CPU ----

timemory_site s_caller = make_site("caller");
timemory_site s_short = make_site("short_call");

__attribute__((noinline)) void short_call() {
    timemory_enter(&s_short);
    volatile int sink = 0;
    for (int i = 0; i < 400; ++i)
        sink = sink + i;
    timemory_exit(&s_short);
}

// main -> caller (timed, 300 calls) -> short_call (3 000 per caller call: throttled after
// 10 000, then sampled one call in 64 on average).
int throttle_hog_mode() {
    timemory_enter(&s_main);
    for (int k = 0; k < 300; ++k) {
        timemory_enter(&s_caller);
        for (int i = 0; i < 3000; ++i)
            short_call();
        timemory_exit(&s_caller);
    }
    timemory_exit(&s_main);
    return 0;
}

// ---- quick_exit, exec, vfork: ends of the image other than exit ------------------------

timemory_site s_before = make_site("before_end");
timemory_site s_after_vfork = make_site("after_vfork");

void record_before_end() {
    timemory_enter(&s_before);
    spin_ns(1000000);
    timemory_exit(&s_before);
}

// quick_exit(5) with main's frame open: at_quick_exit handlers run, atexit ones do not.
int quick_exit_mode() {
    timemory_enter(&s_main);
    record_before_end();
    std::quick_exit(5);
}

// The image is replaced by a shell that exits 4: what it recorded is written first.
int exec_mode(const char* how) {
    timemory_enter(&s_main);
    record_before_end();
    const std::string h = how;
    if (h == "execl") execl("/bin/sh", "sh", "-c", "exit 4", static_cast<char*>(nullptr));
    if (h == "execvp") {
        char* args[] = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                        const_cast<char*>("exit 4"), nullptr};
        execvp("sh", args);
    }
    return 2; // exec failed
}

// A vfork child shares its parent's memory, the runtime's state included: its exec must
// leave that state alone; the parent records on and reports at its own exit.
int vfork_exec_mode() {
    timemory_enter(&s_main);
    record_before_end();
    const pid_t child = vfork();
    if (child == 0) {
        execl("/bin/true", "true", static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    timemory_enter(&s_after_vfork);
    timemory_exit(&s_after_vfork);
    timemory_exit(&s_main);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
}

// ---- ucontext: a coroutine that yields back to main three times ---------------------

timemory_site s_co_body = make_site("co_body");
timemory_site s_co_step = make_site("co_step");
timemory_site s_main_work = make_site("main_work");
ucontext_t g_main_ctx, g_co_ctx;
char g_co_stack[256 * 1024];

void co_body() {
    timemory_enter(&s_co_body);
    for (int i = 0; i < 3; ++i) {
        timemory_enter(&s_co_step);
        spin_ns(200000);
        timemory_exit(&s_co_step);
        swapcontext(&g_co_ctx, &g_main_ctx); // yield, with co_body open
    }
    timemory_exit(&s_co_body);
}

// main > (co_body > co_step) x3 and main > main_work x3: the coroutine's frames nest under
// main, where main resumed it; main_work never nests under the coroutine's open frame.
int ucontext_mode() {
    timemory_enter(&s_main);
    getcontext(&g_co_ctx);
    g_co_ctx.uc_stack.ss_sp = g_co_stack;
    g_co_ctx.uc_stack.ss_size = sizeof(g_co_stack);
    g_co_ctx.uc_link = &g_main_ctx;
    makecontext(&g_co_ctx, co_body, 0);
    for (int i = 0; i < 4; ++i) {
        swapcontext(&g_main_ctx, &g_co_ctx); // the 4th resume lets co_body return
        if (i == 3) break;
        timemory_enter(&s_main_work);
        spin_ns(100000);
        timemory_exit(&s_main_work);
    }
    timemory_exit(&s_main);
    return 0;
}

// ---- privileged: run set-uid by another user -----------------------------------------

// Records a few calls and says whether the process runs in secure-execution mode (set-uid)
// and whether timemory measures.
int privileged_mode() {
    timemory_enter(&s_main);
    for (int i = 0; i < 3; ++i) {
        timemory_enter(&s_hot);
        timemory_exit(&s_hot);
    }
    timemory_exit(&s_main);
    std::printf("secure=%lu enabled=%d\n", getauxval(AT_SECURE), int(timemory_is_enabled()));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "dlclose" && argc > 2) return dlclose_mode(argv[2]);
    if (mode == "reload" && argc > 3) return reload_mode(argv[2], std::atoi(argv[3]));
    if (mode == "fork-at-start") return fork_at_start_mode();
    if (mode == "signal-first" && argc > 2)
        return signal_first_mode(std::strcmp(argv[2], "started") == 0);
    if (mode == "signal-counts") return signal_counts_mode();
    if (mode == "privileged") return privileged_mode();
    if (mode == "throttle-hog") return throttle_hog_mode();
    if (mode == "quick-exit") return quick_exit_mode();
    if (mode == "exec" && argc > 2) return exec_mode(argv[2]);
    if (mode == "vfork-exec") return vfork_exec_mode();
    if (mode == "ucontext") return ucontext_mode();
    std::fprintf(
        stderr,
        "usage: %s dlclose LIB | reload LIB N | fork-at-start | signal-first lazy|started | "
        "signal-counts | privileged | throttle-hog | quick-exit | exec execl|execvp | "
        "vfork-exec | ucontext\n",
        argv[0]);
    return 2;
}
