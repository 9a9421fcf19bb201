// Fatal signals (TIMEMORY_ENABLE_SIGNAL_HANDLER): write what was collected, then let the
// signal take its course.
//
// Installed over the default action, and in front of a handler the program has for a
// crash signal (then called after ours); never over SIG_IGN, nor over the program's handler
// for a termination signal (see install_signal_handlers).
//
// A signal can arrive anywhere: inside malloc, inside the runtime, while another thread
// holds a lock. Writing reports needs the heap and locks, so the handler does not write:
// it forks (_Fork: no atfork handlers), and the child, a copy of the process at this
// instant with only this thread, writes the reports. The handler itself calls only
// async-signal-safe functions and waits for the child for a bounded time: if the copy is
// stuck on a lock the interrupted code held, the child is killed and one line says the
// reports could not be written. Then the signal's original action runs.
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "base/log.hpp"
#include "hooks/hooks.hpp"
#include "runtime/runtime.hpp"

namespace timemory::rt {

namespace {

const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM, SIGINT, SIGQUIT};
constexpr int max_signal = 65;
constexpr int wait_seconds = 10; ///< the longest the writer may take

std::atomic<bool> g_in_handler{false};
std::atomic<void (*)(int)> g_exit_action{nullptr};
struct sigaction g_original[max_signal]; ///< the action replaced, per signal
std::atomic<bool> g_installed[max_signal];

void say(const char* text) noexcept {
    ssize_t ignored = write(STDERR_FILENO, text, strlen(text));
    (void)ignored;
}

// The writer: the forked copy of the process. Fatal signals end it at once (the parent is
// waiting), and an alarm ends it if it is stuck.
[[noreturn]] void write_in_child(int parent) noexcept {
    struct sigaction dfl;
    std::memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int s : fatal_signals)
        sigaction(s, &dfl, nullptr);
    alarm(wait_seconds + 1);
    set_report_pid(parent); // the reports are the crashing process's
    g_finalizing_on_signal = true;
    finalize();
    _exit(0);
}

// Waits for the writer at most wait_seconds; true when it finished normally.
bool wait_for(pid_t child) noexcept {
    const timespec tick{0, 10000000}; // 10 ms
    for (int i = 0; i < wait_seconds * 100; ++i) {
        int status = 0;
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child) return WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (done < 0 && errno != EINTR) return false;
        nanosleep(&tick, nullptr);
    }
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    return false;
}

// A signal that is fatal by nature: a handler the program has for it reports and ends.
bool is_crash(int sig) {
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGABRT;
}

void on_fatal_signal(int sig, siginfo_t* info, void* context) {
    const int saved_errno = errno;
    const int state = rt_state().state.load();
    const bool writing = state == int(run_state::finalizing) && !g_finalize_handler.load();
    if (state == int(run_state::finalized)) {
        // The reports were written already (or were not wanted): nothing to do here.
    } else if (writing && !g_in_handler.exchange(true)) {
        // The process was writing its own reports (at exit): a copy would wait for the lock
        // the interrupted writer holds. The set stays in its hidden staging folder.
        say("[timemory] fatal signal while the reports were being written: they are "
            "incomplete and were not published\n");
    } else if (!g_in_handler.exchange(true)) {
        // A termination signal is how schedulers and process pools end processes: its line
        // is said like the one at a normal exit (asked for, or stderr is a terminal); a
        // crash's always.
        if (is_crash(sig) || notices_shown())
            say("[timemory] fatal signal: writing the reports collected so far\n");
        if (auto action = g_exit_action.load()) action(sig);
        const int self = int(getpid());
        pid_t child = _Fork();
        if (child == 0) write_in_child(self);
        if (child < 0 || !wait_for(child))
            say("[timemory] fatal signal: the reports could not be written (the program was "
                "stopped where they cannot be: inside the allocator, or holding a lock)\n");
    }
    errno = saved_errno;
    // Then what the program had: its own handler (chained: it decides what happens next),
    // or the default action, re-raised.
    const struct sigaction& original = g_original[sig];
    if (original.sa_flags & SA_SIGINFO) {
        original.sa_sigaction(sig, info, context);
        return;
    }
    if (original.sa_handler != SIG_DFL && original.sa_handler != SIG_IGN) {
        original.sa_handler(sig);
        return;
    }
    sigaction(sig, &original, nullptr);
    raise(sig);
}

} // namespace

void install_signal_handlers(const std::vector<int>& signals) {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    // SA_NODEFER: the re-raise must reach the default action from inside. SA_SIGINFO: a
    // chained handler of the program gets what it would have got.
    sa.sa_flags = SA_NODEFER | SA_SIGINFO;
    auto install = [&sa](int s) {
        if (s <= 0 || s >= max_signal || g_installed[s].load()) return;
        struct sigaction current;
        if (sigaction(s, nullptr, &current) != 0) return;
        const bool has_handler = (current.sa_flags & SA_SIGINFO) ||
                                 (current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN);
        // SIG_IGN stays ignored. A handler the program has for a termination signal (TERM,
        // INT, QUIT) stays alone: the program decides whether that ends it, and a normal
        // exit writes the reports anyway. For a crash (SEGV, BUS, FPE, ILL, ABRT) the
        // reports are written first and the program's handler is called after ours.
        if (!(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN) return;
        if (has_handler && !is_crash(s)) return;
        g_original[s] = current;
        if (sigaction(s, &sa, nullptr) == 0) g_installed[s] = true;
    };
    if (signals.empty())
        for (int s : fatal_signals)
            install(s);
    for (int s : signals)
        install(s);
}

void set_signal_exit_action(void (*action)(int)) {
    g_exit_action.store(action);
}

bool maybe_in_signal_handler() noexcept {
    sigset_t blocked;
    if (pthread_sigmask(SIG_BLOCK, nullptr, &blocked) != 0) return false;
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sigismember(&blocked, sig) != 1) continue;
        struct sigaction sa;
        if (sigaction(sig, nullptr, &sa) != 0) continue;
        const bool handled = (sa.sa_flags & SA_SIGINFO)
                                 ? sa.sa_sigaction != nullptr
                                 : sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN;
        if (handled) return true;
    }
    return false;
}

} // namespace timemory::rt
