#include "core/log.hpp"

#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <set>

#include "core/text.hpp"
#include "settings/settings.hpp"

namespace timemory::rt {

std::mutex& log_mutex() {
    static auto* m = new std::mutex; // never destroyed: used from exit handlers
    return *m;
}

void warn(const std::string& msg) {
    if (settings::current().verbose < 0) return;
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
    if (settings::current().verbose < level) return;
    std::lock_guard<std::mutex> lk(log_mutex());
    std::fprintf(stderr, "[timemory] %s\n", printable(msg).c_str());
}

void notice(const std::string& msg) {
    const long v = settings::current().verbose;
    if (v < 0 || (v == 0 && !isatty(STDERR_FILENO))) return;
    std::lock_guard<std::mutex> lk(log_mutex());
    std::fprintf(stderr, "[timemory] %s\n", printable(msg).c_str());
}

} // namespace timemory::rt
