// Reading the system sources behind the snapshot fields.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "backends/backend.hpp"
#include "base/clock.hpp"
#include "components/fields.hpp"

namespace timemory::rt {

namespace {
std::atomic<int> g_statm_fd{-1};
std::atomic<int> g_io_fd{-1};
long g_page_size = sysconf(_SC_PAGESIZE);

inline int64_t tv_ns(const timeval& tv) {
    return int64_t(tv.tv_sec) * 1000000000 + tv.tv_usec * 1000;
}

// Reads a small /proc file with one pread: no allocation, no stdio, safe after fork.
ssize_t read_proc(int fd, char* buf, size_t n) {
    if (fd < 0) return -1;
    ssize_t r = pread(fd, buf, n - 1, 0);
    if (r >= 0) buf[r] = '\0';
    return r;
}

int64_t parse_after(const char* text, const char* key) {
    const char* p = std::strstr(text, key);
    return p ? std::strtoll(p + std::strlen(key), nullptr, 10) : 0;
}
} // namespace

unsigned source_of(field f) {
    switch (f) {
    case field::wall_ticks:
        return src_wall;
    case field::mono_ns:
        return src_mono;
    case field::mono_raw_ns:
        return src_mono_raw;
    case field::boot_ns:
        return src_boot;
    case field::process_cpu_ns:
        return src_process_cpu;
    case field::thread_cpu_ns:
        return src_thread_cpu;
    case field::self_user_ns:
    case field::self_sys_ns:
    case field::self_maxrss_bytes:
        return src_rusage_self;
    case field::thread_user_ns:
    case field::thread_sys_ns:
    case field::thread_minflt:
    case field::thread_majflt:
    case field::thread_nvcsw:
    case field::thread_nivcsw:
    case field::thread_inblock:
    case field::thread_oublock:
        return src_rusage_thread;
    case field::rss_bytes:
    case field::vm_bytes:
        return src_statm;
    case field::io_read_bytes:
    case field::io_write_bytes:
        return src_proc_io;
    default:
        if (f >= field::counter_first && f <= field::counter_last) return src_counters;
        return 0;
    }
}

void open_proc_files() noexcept {
    int old = g_statm_fd.exchange(open("/proc/self/statm", O_RDONLY | O_CLOEXEC));
    if (old >= 0) close(old);
    old = g_io_fd.exchange(open("/proc/self/io", O_RDONLY | O_CLOEXEC));
    if (old >= 0) close(old);
}

void read_sources(unsigned s, int64_t* out) noexcept {
    auto at = [out](field f) -> int64_t& { return out[static_cast<int>(f)]; };
    if (s & src_wall) at(field::wall_ticks) = wall_ticks();
    if (s & src_mono) at(field::mono_ns) = clock_ns(CLOCK_MONOTONIC);
    if (s & src_mono_raw) at(field::mono_raw_ns) = clock_ns(CLOCK_MONOTONIC_RAW);
    if (s & src_boot) at(field::boot_ns) = clock_ns(CLOCK_BOOTTIME);
    if (s & src_process_cpu) at(field::process_cpu_ns) = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    if (s & src_thread_cpu) at(field::thread_cpu_ns) = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    if (s & src_rusage_self) {
        rusage ru;
        if (getrusage(RUSAGE_SELF, &ru) == 0) {
            at(field::self_user_ns) = tv_ns(ru.ru_utime);
            at(field::self_sys_ns) = tv_ns(ru.ru_stime);
            at(field::self_maxrss_bytes) = int64_t(ru.ru_maxrss) * 1024; // KiB on Linux
        }
    }
    if (s & src_rusage_thread) {
        rusage ru;
        if (getrusage(RUSAGE_THREAD, &ru) == 0) {
            at(field::thread_user_ns) = tv_ns(ru.ru_utime);
            at(field::thread_sys_ns) = tv_ns(ru.ru_stime);
            at(field::thread_minflt) = ru.ru_minflt;
            at(field::thread_majflt) = ru.ru_majflt;
            at(field::thread_nvcsw) = ru.ru_nvcsw;
            at(field::thread_nivcsw) = ru.ru_nivcsw;
            at(field::thread_inblock) = ru.ru_inblock;
            at(field::thread_oublock) = ru.ru_oublock;
        }
    }
    if (s & src_statm) {
        char buf[128];
        if (read_proc(g_statm_fd.load(std::memory_order_relaxed), buf, sizeof(buf)) > 0) {
            char* end = nullptr;
            long long size = std::strtoll(buf, &end, 10);
            long long resident = std::strtoll(end, nullptr, 10);
            at(field::vm_bytes) = size * g_page_size;
            at(field::rss_bytes) = resident * g_page_size;
        }
    }
    if (s & src_proc_io) {
        char buf[512];
        if (read_proc(g_io_fd.load(std::memory_order_relaxed), buf, sizeof(buf)) > 0) {
            at(field::io_read_bytes) = parse_after(buf, "\nread_bytes:");
            at(field::io_write_bytes) = parse_after(buf, "\nwrite_bytes:");
        }
    }
    if (s & src_counters) backends_read(&at(field::counter_first)); // last: counts us least
}

namespace {
// Reads /proc/self/task/<tid>/<name> into `buf`; false when it cannot.
bool read_task_file(pid_t tid, const char* name, char* buf, size_t n) {
    char path[64];
    std::snprintf(path, sizeof(path), "/proc/self/task/%d/%s", int(tid), name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ssize_t r = read_proc(fd, buf, n);
    close(fd);
    return r > 0;
}

constexpr uint64_t bit(field f) {
    return uint64_t(1) << static_cast<int>(f);
}
} // namespace

uint64_t read_sources_of_thread(unsigned s, pid_t tid, pthread_t handle, int64_t* out) noexcept {
    // Process-wide sources read the same from any thread.
    constexpr unsigned shared = src_wall | src_mono | src_mono_raw | src_boot | src_process_cpu |
                                src_rusage_self | src_statm | src_proc_io;
    read_sources(s & shared, out);
    uint64_t mask = 0;
    for (int k = 0; k < field_count; ++k)
        if (source_of(field(k)) & s & shared) mask |= uint64_t(1) << k;
    auto at = [out](field f) -> int64_t& { return out[static_cast<int>(f)]; };
    if (s & src_thread_cpu) {
        clockid_t id;
        if (pthread_getcpuclockid(handle, &id) == 0) {
            at(field::thread_cpu_ns) = clock_ns(id);
            mask |= bit(field::thread_cpu_ns);
        }
    }
    if (s & src_rusage_thread) {
        // User and system times are left out: /proc has them in clock ticks (10 ms), which
        // against the start's microseconds could even give a negative change.
        char buf[4096];
        if (read_task_file(tid, "stat", buf, sizeof(buf))) {
            // Fields after the command name in parentheses: 3 state ... 10 minflt, 12 majflt.
            const char* p = std::strrchr(buf, ')');
            long long v[12] = {};
            int n = 0;
            for (p = p ? p + 2 : buf; *p && n < 12; ++n) {
                const char* sp = std::strchr(p, ' ');
                v[n] = std::strtoll(p, nullptr, 10);
                if (!sp) break;
                p = sp + 1;
            }
            if (n >= 10) {
                at(field::thread_minflt) = v[7]; // field 10
                at(field::thread_majflt) = v[9]; // field 12
                mask |= bit(field::thread_minflt) | bit(field::thread_majflt);
            }
        }
        if (read_task_file(tid, "status", buf, sizeof(buf))) {
            at(field::thread_nvcsw) = parse_after(buf, "\nvoluntary_ctxt_switches:");
            at(field::thread_nivcsw) = parse_after(buf, "\nnonvoluntary_ctxt_switches:");
            mask |= bit(field::thread_nvcsw) | bit(field::thread_nivcsw);
        }
    }
    return mask;
}

} // namespace timemory::rt
