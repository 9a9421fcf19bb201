#include "settings/units.hpp"

#include "base/text.hpp"

#include <algorithm>
#include <cctype>

namespace timemory::rt {

namespace {
struct entry {
    const char* key; // lower-case spelling accepted
    const char* name;
    double value;
};

bool lookup(const entry* table, size_t n, const std::string& text, unit* out) {
    std::string k = lower(text);
    for (size_t i = 0; i < n; ++i) {
        if (k == table[i].key) {
            if (out) *out = unit{table[i].name, table[i].value};
            return true;
        }
    }
    return false;
}
} // namespace

bool find_timing_unit(const std::string& text, unit* out) {
    static const entry table[] = {
        {"ns", "nsec", 1.0},  {"nsec", "nsec", 1.0}, {"us", "usec", 1e3},  {"usec", "usec", 1e3},
        {"ms", "msec", 1e6},  {"msec", "msec", 1e6}, {"s", "sec", 1e9},    {"sec", "sec", 1e9},
        {"min", "min", 60e9}, {"hr", "hr", 3600e9},  {"auto", "sec", 1e9},
    };
    return lookup(table, sizeof(table) / sizeof(table[0]), text, out);
}

bool find_memory_unit(const std::string& text, unit* out) {
    // Case matters for the kibi units only in display; lookup ignores case.
    static const entry table[] = {
        {"b", "B", 1.0},
        {"kb", "KB", 1e3},
        {"mb", "MB", 1e6},
        {"gb", "GB", 1e9},
        {"kib", "KiB", 1024.0},
        {"mib", "MiB", 1048576.0},
        {"gib", "GiB", 1073741824.0},
        {"auto", "MB", 1e6},
    };
    return lookup(table, sizeof(table) / sizeof(table[0]), text, out);
}

bool is_auto_unit(const std::string& text) {
    return lower(text) == "auto";
}

unit readable_unit(const std::string& kind, double raw) {
    static const unit time_units[] = {{"nsec", 1.0}, {"usec", 1e3}, {"msec", 1e6}, {"sec", 1e9}};
    static const unit memory_units[] = {{"B", 1.0}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}};
    const unit* table = kind == "memory" ? memory_units : time_units;
    raw = raw < 0 ? -raw : raw;
    size_t i = 0;
    while (i + 1 < 4 && raw >= table[i + 1].value)
        ++i;
    return table[i];
}

} // namespace timemory::rt
