// A host program that does unusual but legitimate things to the runtime: unloads a library
// whose functions were measured, forks while another thread starts the runtime, measures
// calls from signal handlers, ends with quick_exit or exec. Each scenario is a subcommand
// (see unusual_test.cpp). Sites are made as the Clang plugin makes them.
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <timemory/timemory.h>

#include <atomic>
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
    std::printf("child %s\n", done && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "hung");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "dlclose" && argc > 2) return dlclose_mode(argv[2]);
    if (mode == "reload" && argc > 3) return reload_mode(argv[2], std::atoi(argv[3]));
    if (mode == "fork-at-start") return fork_at_start_mode();
    std::fprintf(stderr, "usage: %s dlclose LIB | reload LIB N | fork-at-start\n", argv[0]);
    return 2;
}
