#include "base/log.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>

#include "base/text.hpp"

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

// Constant-initialised, nothing to destroy: usable from exit handlers, and no allocation
// (the first message may come when memory is gone).
constinit std::mutex g_log_mutex;

std::mutex& log_mutex() {
    return g_log_mutex;
}

namespace {
// One line on stderr; the message escaped for the terminal, or as it is when there is no
// memory left to escape it (a message must never throw out of the runtime).
void say(const char* prefix, const std::string& msg) noexcept {
    std::lock_guard<std::mutex> lk(log_mutex());
    try {
        std::fprintf(stderr, "[timemory] %s%s\n", prefix, printable(msg).c_str());
    } catch (...) {
        std::fprintf(stderr, "[timemory] %s%s\n", prefix, msg.c_str());
    }
}
} // namespace

void warn(const std::string& msg) noexcept {
    if (verbosity() < 0) return;
    say("warning: ", msg);
}

void warn_plain(const char* msg, const char* detail) noexcept {
    if (verbosity() < 0) return;
    const char head[] = "[timemory] warning: ";
    ssize_t ignored = write(STDERR_FILENO, head, sizeof(head) - 1);
    ignored = write(STDERR_FILENO, msg, std::strlen(msg));
    ignored = write(STDERR_FILENO, detail, std::strlen(detail));
    ignored = write(STDERR_FILENO, "\n", 1);
    (void)ignored;
}

void warn_once(const std::string& key, const std::string& msg) noexcept {
    try {
        static auto* seen = new std::set<std::string>;
        std::lock_guard<std::mutex> lk(log_mutex());
        if (!seen->insert(key).second) return;
    } catch (...) {
        // No memory to remember the key: said (perhaps again) rather than lost.
    }
    warn(msg);
}

void info(int level, const std::string& msg) noexcept {
    if (verbosity() < level) return;
    say("", msg);
}

bool notices_shown() noexcept {
    const long v = verbosity();
    return v >= 1 || (v == 0 && isatty(STDERR_FILENO));
}

void notice(const std::string& msg) noexcept {
    if (notices_shown()) say("", msg);
}

} // namespace timemory::rt
