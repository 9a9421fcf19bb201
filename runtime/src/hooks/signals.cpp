#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "core/runtime.hpp"
#include "hooks/hooks.hpp"

namespace timemory::rt {

namespace {
const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM, SIGINT, SIGQUIT};
std::atomic<bool> g_in_handler{false};
std::atomic<void (*)(int)> g_exit_action{nullptr};

void on_fatal_signal(int sig) {
    // Writing files is not async-signal-safe; after a fatal signal the process is ending
    // anyway, and what was collected is worth the risk. A second signal while writing
    // skips straight to the default action.
    if (!g_in_handler.exchange(true)) {
        const char msg[] = "[timemory] fatal signal: writing the reports collected so far\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        (void)ignored;
        if (auto action = g_exit_action.load()) action(sig);
        g_finalizing_on_signal = true;
        finalize();
    }
    struct sigaction dfl;
    std::memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, nullptr);
    raise(sig);
}
} // namespace

void install_signal_handlers(const std::vector<int>& signals) {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_NODEFER; // the re-raise must reach the default action from inside
    if (signals.empty())
        for (int s : fatal_signals)
            sigaction(s, &sa, nullptr);
    for (int s : signals)
        sigaction(s, &sa, nullptr);
}

void set_signal_exit_action(void (*action)(int)) {
    g_exit_action.store(action);
}

} // namespace timemory::rt
