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

void on_fatal_signal(int sig) {
    // Writing files is not async-signal-safe; after a fatal signal the process is ending
    // anyway, and what was collected is worth the risk. A second signal while writing
    // skips straight to the default action.
    if (!g_in_handler.exchange(true)) {
        const char msg[] = "[timemory] fatal signal: writing the reports collected so far\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        (void)ignored;
        finalize();
    }
    struct sigaction dfl;
    std::memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, nullptr);
    raise(sig);
}
} // namespace

void install_signal_handlers() {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_NODEFER; // the re-raise must reach the default action from inside
    for (int s : fatal_signals) sigaction(s, &sa, nullptr);
}

} // namespace timemory::rt
