#include "core/log.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <set>

#include "core/text.hpp"

namespace timemory::rt {

namespace {
// TIMEMORY_VERBOSE as the runtime last applied it (0 until then, its default). Kept here,
// not read from the settings: the log is below every other layer, settings included.
std::atomic<long> g_verbosity{0};
} // namespace

void set_verbosity(long level) noexcept {
    g_verbosity.store(level, std::memory_order_relaxed);
}

long verbosity() noexcept {
    return g_verbosity.load(std::memory_order_relaxed);
}

std::mutex& log_mutex() {
    static auto* m = new std::mutex; // never destroyed: used from exit handlers
    return *m;
}

void warn(const std::string& msg) {
    if (verbosity() < 0) return;
    std::lock_guard<std::mutex> lk(log_mutex());
    std::fprintf(stderr, "[timemory] warning: %s\n", printable(msg).c_str());
}

void warn_once(const std::string& key, const std::string& msg) {
    static auto* seen = new std::set<std::string>;
    {
        std::lock_guard<std::mutex> lk(log_mutex());
        if (!seen->insert(key).second) return;
    }
    warn(msg);
}

void info(int level, const std::string& msg) {
    if (verbosity() < level) return;
    std::lock_guard<std::mutex> lk(log_mutex());
    std::fprintf(stderr, "[timemory] %s\n", printable(msg).c_str());
}

void notice(const std::string& msg) {
    const long v = verbosity();
    if (v < 0 || (v == 0 && !isatty(STDERR_FILENO))) return;
    std::lock_guard<std::mutex> lk(log_mutex());
    std::fprintf(stderr, "[timemory] %s\n", printable(msg).c_str());
}

} // namespace timemory::rt
