// The program the end-to-end tests run: each scenario is a subcommand.
#include <setjmp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <timemory/timemory.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

void sleep_ms(int ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

void inner() {
    TIMEMORY_MARKER("inner");
}

void outer() {
    TIMEMORY_MARKER("outer");
    for (int i = 0; i < 3; ++i)
        inner();
}

// main > outer(x2) > inner(x3 each); main > sleep_100ms
int nested() {
    TIMEMORY_MARKER("main");
    outer();
    outer();
    // The sleep's length by a clock of the program's own, read around the marker: what the
    // test compares the report with (a loaded machine oversleeps; both see the same).
    const auto t0 = std::chrono::steady_clock::now();
    {
        TIMEMORY_MARKER("sleep_100ms");
        sleep_ms(100);
    }
    const auto t1 = std::chrono::steady_clock::now();
    if (FILE* f = std::fopen("sleep_ns.txt", "w")) {
        std::fprintf(f, "%lld\n",
                     static_cast<long long>(
                         std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()));
        std::fclose(f);
    }
    return 0;
}

// main > spawn > 4 workers each: work(x5); a fifth thread exits with a region open.
int threads() {
    TIMEMORY_MARKER("main");
    {
        TIMEMORY_MARKER("spawn");
        std::vector<std::thread> pool;
        for (int t = 0; t < 4; ++t) {
            pool.emplace_back([] {
                TIMEMORY_MARKER("worker");
                for (int i = 0; i < 5; ++i) {
                    TIMEMORY_MARKER("work");
                    sleep_ms(1);
                }
            });
        }
        // A thread that ends with a region still open: nothing it measured is lost.
        pool.emplace_back([] {
            timemory_push_region("left_open");
            sleep_ms(2);
        });
        for (auto& t : pool)
            t.join();
    }
    return 0;
}

// The child records its own regions; the parent's are not duplicated.
int forking() {
    TIMEMORY_MARKER("main");
    { TIMEMORY_MARKER("before_fork"); }
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 2; ++i) {
            TIMEMORY_MARKER("in_child");
        }
        std::exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    { TIMEMORY_MARKER("in_parent"); }
    std::printf("child=%d\n", int(pid));
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

void level3() {
    timemory_push_region("level3");
    throw std::runtime_error("unwind"); // never pops: the runtime must reconcile
}
void level2() {
    timemory_push_region("level2");
    level3();
    timemory_pop_region("level2");
}
void level1() {
    timemory_push_region("level1");
    level2();
    timemory_pop_region("level1");
}

// An exception crosses two regions that never close; the catch is three frames up.
int exception() {
    TIMEMORY_MARKER("main");
    for (int i = 0; i < 2; ++i) {
        timemory_push_region("try");
        try {
            level1();
        } catch (const std::exception&) {
        }
        timemory_pop_region("try");
        { TIMEMORY_MARKER("after"); }
    }
    return 0;
}

jmp_buf g_jump;
void jump_deep() {
    timemory_push_region("jumped_over");
    longjmp(g_jump, 1);
}

int long_jump() {
    TIMEMORY_MARKER("main");
    timemory_push_region("setjmp_region");
    if (setjmp(g_jump) == 0) jump_deep();
    timemory_pop_region("setjmp_region");
    return 0;
}

void recurse(int n) {
    TIMEMORY_MARKER("recurse");
    if (n > 1) recurse(n - 1);
}

// recurse nests 10 deep.
int deep() {
    TIMEMORY_MARKER("main");
    recurse(10);
    return 0;
}

int crash() {
    TIMEMORY_MARKER("main");
    { TIMEMORY_MARKER("completed"); }
    TIMEMORY_MARKER("crashing");
    std::raise(SIGSEGV);
    return 0;
}

int disabled() {
    TIMEMORY_MARKER("main");
    timemory_set_enabled(false);
    { TIMEMORY_MARKER("while_off"); }
    timemory_set_enabled(true);
    { TIMEMORY_MARKER("while_on"); }
    return timemory_is_enabled() ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "nested";
    if (mode == "nested") return nested();
    if (mode == "threads") return threads();
    if (mode == "fork") return forking();
    if (mode == "exception") return exception();
    if (mode == "longjmp") return long_jump();
    if (mode == "deep") return deep();
    if (mode == "crash") return crash();
    if (mode == "disabled") return disabled();
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 2;
}
