// The Linux components, their descriptions (as in the reference documents) and how each
// value is derived from two snapshots.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "backends/backend.hpp"
#include "base/log.hpp"
#include "base/text.hpp"
#include "components/component.hpp"
#include "settings/settings.hpp"

namespace timemory::rt {

const char* unit_kind_name(unit_kind k) noexcept {
    switch (k) {
    case unit_kind::time:
        return "time";
    case unit_kind::memory:
        return "memory";
    case unit_kind::percent:
        return "percent";
    case unit_kind::count:
        break;
    }
    return "count";
}

namespace {

using F = field;
using U = unit_kind;
using V = value_kind;

std::deque<component> make_catalog() {
    std::deque<component> all{
        {"wall_clock", "wall", "Real-clock timer (i.e. wall-clock timer)", U::time, V::delta,
         F::wall_ticks, F::none, true},
        {"monotonic_clock", "monotonic_clock",
         "Wall-clock timer which will continue to increment even while the system is asleep",
         U::time, V::delta, F::boot_ns},
        {"monotonic_raw_clock", "monotonic_raw_clock",
         "Wall-clock timer unaffected by frequency or time adjustments in system time-of-day "
         "clock",
         U::time, V::delta, F::mono_raw_ns},
        {"cpu_clock", "cpu", "Total CPU time spent in both user- and kernel-mode", U::time,
         V::delta2, F::self_user_ns, F::self_sys_ns},
        {"user_clock", "user", "CPU time spent in user-mode", U::time, V::delta, F::self_user_ns},
        {"sys_clock", "sys", "CPU time spent in kernel-mode", U::time, V::delta, F::self_sys_ns},
        {"process_cpu_clock", "process_cpu",
         "CPU-clock timer for the calling process (all threads)", U::time, V::delta,
         F::process_cpu_ns},
        {"thread_cpu_clock", "thread_cpu", "CPU-clock timer for the calling thread", U::time,
         V::delta, F::thread_cpu_ns},
        {"cpu_util", "cpu_util", "Percentage of CPU-clock time divided by wall-clock time",
         U::percent, V::ratio, F::self_user_ns, F::self_sys_ns},
        {"process_cpu_util", "process_cpu_util",
         "Percentage of CPU-clock time divided by wall-clock time for calling process (all "
         "threads)",
         U::percent, V::ratio, F::process_cpu_ns},
        {"thread_cpu_util", "thread_cpu_util",
         "Percentage of CPU-clock time divided by wall-clock time for calling thread", U::percent,
         V::ratio, F::thread_cpu_ns},
        {"peak_rss", "peak_rss",
         "Measures changes in the high-water mark for the amount of memory allocated in RAM. May "
         "fluctuate if swap is enabled",
         U::memory, V::delta, F::self_maxrss_bytes},
        {"page_rss", "page_rss",
         "Amount of memory allocated in pages of memory. Unlike peak_rss, value will fluctuate as "
         "memory is freed/allocated",
         U::memory, V::delta, F::rss_bytes},
        {"current_peak_rss", "current_peak_rss",
         "Absolute value of high-water mark of memory allocation in RAM", U::memory, V::absolute,
         F::self_maxrss_bytes},
        {"virtual_memory", "virtual_memory", "Records the change in virtual memory", U::memory,
         V::delta, F::vm_bytes},
        {"trip_count", "trip_count", "Counts number of invocations", U::count, V::one},
        {"num_minor_page_faults", "minor_page_flts",
         "Number of page faults serviced without any I/O activity via 'reclaiming' a page frame "
         "from the list of pages awaiting reallocation",
         U::count, V::delta, F::thread_minflt},
        {"num_major_page_faults", "major_page_flts",
         "Number of page faults serviced that required I/O activity", U::count, V::delta,
         F::thread_majflt},
        {"voluntary_context_switch", "vol_cxt_swch",
         "Number of context switches due to a process voluntarily giving up the processor before "
         "its time slice was completed",
         U::count, V::delta, F::thread_nvcsw},
        {"priority_context_switch", "prio_cxt_swch",
         "Number of context switch due to higher priority process becoming runnable or because "
         "the current process exceeded its time slice)",
         U::count, V::delta, F::thread_nivcsw},
        {"num_io_in", "io_in", "Number of times the filesystem had to perform input", U::count,
         V::delta, F::thread_inblock},
        {"num_io_out", "io_out", "Number of times the filesystem had to perform output", U::count,
         V::delta, F::thread_oublock},
        {"read_bytes", "read_bytes", "Physical I/O reads", U::memory, V::delta, F::io_read_bytes},
        {"written_bytes", "written_bytes", "Physical I/O writes", U::memory, V::delta,
         F::io_write_bytes},
        {"user_mode_time", "user_mode", "CPU time spent executing in user mode (via rusage)",
         U::time, V::delta, F::thread_user_ns},
        {"kernel_mode_time", "kernel_mode", "CPU time spent executing in kernel mode (via rusage)",
         U::time, V::delta, F::thread_sys_ns},
    };
    // Then every backend's, compiled in or not (a missing one's say why they are missing).
    for (const backend* b : backends())
        for (const component& c : b->components())
            all.push_back(c);
    return all;
}

bool clock_works(clockid_t id, std::string* why, const char* name) {
    timespec ts;
    if (clock_gettime(id, &ts) == 0) return true;
    if (why) *why = std::string(name) + " is not supported: " + std::strerror(errno);
    return false;
}

bool proc_file_readable(const char* path, std::string* why) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char c;
    bool ok = fd >= 0 && read(fd, &c, 1) == 1;
    int err = errno;
    if (fd >= 0) close(fd);
    if (!ok && why) *why = std::string("cannot read ") + path + ": " + std::strerror(err);
    return ok;
}

} // namespace

unsigned component::sources() const {
    unsigned s = 0;
    if (a != field::none) s |= source_of(a);
    if (b != field::none) s |= source_of(b);
    if (how == value_kind::ratio) s |= src_mono;
    return s;
}

bool component::available(std::string* why) const {
    if (backend) {
        const rt::backend* b = find_backend(backend);
        if (!b) return (why ? *why = std::string("no backend '") + backend + "' here" : ""), false;
        if (b->missing) return (why ? *why = b->missing : ""), false;
        if (!b->available(why)) return false;
    }
    unsigned s = sources();
    if ((s & src_mono_raw) && !clock_works(CLOCK_MONOTONIC_RAW, why, "CLOCK_MONOTONIC_RAW"))
        return false;
    if ((s & src_boot) && !clock_works(CLOCK_BOOTTIME, why, "CLOCK_BOOTTIME")) return false;
    if ((s & src_thread_cpu) &&
        !clock_works(CLOCK_THREAD_CPUTIME_ID, why, "CLOCK_THREAD_CPUTIME_ID"))
        return false;
    if ((s & src_process_cpu) &&
        !clock_works(CLOCK_PROCESS_CPUTIME_ID, why, "CLOCK_PROCESS_CPUTIME_ID"))
        return false;
    if ((s & src_statm) && !proc_file_readable("/proc/self/statm", why)) return false;
    if ((s & src_proc_io) && !proc_file_readable("/proc/self/io", why)) return false;
    return true;
}

namespace {
std::deque<component>& mutable_catalog() {
    static auto* c = new std::deque<component>(make_catalog());
    return *c;
}
} // namespace

const std::deque<component>& catalog() {
    return mutable_catalog();
}

int add_component(const component& c) {
    mutable_catalog().push_back(c);
    return int(mutable_catalog().size() - 1);
}

int find_component(const std::string& id) {
    std::string k = lower(id);
    const auto& c = catalog();
    for (size_t i = 0; i < c.size(); ++i)
        if (!c[i].group && k == c[i].id) return static_cast<int>(i);
    for (size_t i = 0; i < c.size(); ++i)
        if (!c[i].group && k == c[i].label) return static_cast<int>(i);
    return -1;
}

std::vector<std::string> closest_components(const std::string& id) {
    std::vector<std::pair<size_t, std::string>> d;
    for (const auto& c : catalog())
        if (!c.group) d.emplace_back(edit_distance(lower(id), c.id), c.id);
    std::stable_sort(d.begin(), d.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<std::string> out;
    for (size_t i = 0; i < d.size() && i < 3; ++i)
        out.push_back(d[i].second);
    return out;
}

std::vector<int> parse_component_list(const std::string& list) {
    std::vector<int> out;
    bool any_group = false; // a group that expands to nothing (no events) is not an error
    for (const std::string& token : settings::split_list(list)) {
        int idx = find_component(token);
        if (idx < 0) {
            auto near = closest_components(token);
            std::string hint;
            for (const auto& n : near)
                hint += (hint.empty() ? "" : ", ") + n;
            warn_once("component:" + token,
                      "unknown component '" + token + "' ignored; closest valid names: " + hint);
        } else {
            std::string why;
            if (!catalog()[idx].available(&why))
                warn_once("component:" + token,
                          "component '" + token + "' is not available here: " + why);
            else if (catalog()[idx].how == value_kind::group) {
                any_group = true;
                const component& g = catalog()[idx];
                const backend* b = find_backend(g.backend);
                for (int v : b && b->expand ? b->expand(g) : std::vector<int>{}) {
                    if (catalog()[size_t(v)].sources() & src_counters) claim_counters(b);
                    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
                }
            } else if (std::find(out.begin(), out.end(), idx) == out.end())
                out.push_back(idx);
        }
    }
    if (out.empty()) {
        if (!list.empty() && !any_group)
            warn_once("component-list:" + list,
                      "no valid component in '" + list + "'; collecting wall_clock");
        out.push_back(find_component("wall_clock"));
    }
    return out;
}

} // namespace timemory::rt
