#include <gtest/gtest.h>

#include <sys/mman.h>

#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "base/clock.hpp"
#include "components/component.hpp"
#include "graph/bundle.hpp"

using namespace timemory::rt;

TEST(Components, CatalogHasEveryLinuxComponentOnce) {
    std::set<std::string> want = {
        "wall_clock", "monotonic_clock", "monotonic_raw_clock", "cpu_clock", "user_clock",
        "sys_clock", "process_cpu_clock", "thread_cpu_clock", "cpu_util", "process_cpu_util",
        "thread_cpu_util", "peak_rss", "page_rss", "current_peak_rss", "virtual_memory",
        "trip_count", "num_minor_page_faults", "num_major_page_faults", "voluntary_context_switch",
        "priority_context_switch", "num_io_in", "num_io_out", "read_bytes", "written_bytes",
        "user_mode_time", "kernel_mode_time",
        // groups: present in every build, available when their
        // library is (PAPI, CUPTI)
        "papi_vector", "papi_array", "cupti_activity"};
    std::set<std::string> have, labels;
    for (const auto& c : catalog()) {
        EXPECT_TRUE(have.insert(c.id).second) << c.id;
        EXPECT_TRUE(labels.insert(c.label).second) << c.label;
        EXPECT_GT(std::string(c.description).size(), 10u);
    }
    EXPECT_EQ(have, want);
}

TEST(Components, FindByIdOrLabelAndSuggestClosest) {
    EXPECT_EQ(catalog()[find_component("wall_clock")].label, std::string("wall"));
    EXPECT_EQ(find_component("WALL"), find_component("wall_clock"));
    EXPECT_EQ(find_component("nope"), -1);
    auto near = closest_components("wal_clok");
    ASSERT_FALSE(near.empty());
    EXPECT_EQ(near[0], "wall_clock");
    EXPECT_EQ(closest_components("peak_rs")[0], "peak_rss");
}

TEST(Components, ListParsingKeepsValidOnesInOrderWithoutDuplicates) {
    auto ids = parse_component_list("cpu_clock, wall_clock bogus;cpu_clock");
    ASSERT_EQ(ids.size(), 2u);
    EXPECT_EQ(catalog()[ids[0]].id, std::string("cpu_clock"));
    EXPECT_EQ(catalog()[ids[1]].id, std::string("wall_clock"));
    auto fallback = parse_component_list("bogus");
    ASSERT_EQ(fallback.size(), 1u);
    EXPECT_EQ(catalog()[fallback[0]].id, std::string("wall_clock"));
}

TEST(Components, AvailabilityIsReportedWithAReason) {
    for (const auto& c : catalog()) {
        std::string why;
        if (!c.available(&why)) EXPECT_FALSE(why.empty()) << c.id;
    }
    EXPECT_TRUE(catalog()[find_component("wall_clock")].available());
}

namespace {
struct measured {
    std::vector<timemory::rt::running_stat> st;
    std::vector<bool> ratio; ///< raw values of ratio components are in 1/ratio_scale %
    double value(size_t i) const {
        return ratio[i] ? double(st[i].sum) / double(bundle::ratio_scale) : double(st[i].sum);
    }
};

// Runs `work` between two snapshots and returns one running_stat per component.
template <typename F>
measured measure(const std::vector<std::string>& ids, F work) {
    std::vector<int> idx;
    for (const auto& id : ids)
        idx.push_back(find_component(id));
    bundle b;
    b.select(idx);
    int64_t a[field_count] = {}, z[field_count] = {};
    read_sources(b.sources, a);
    work();
    read_sources(b.sources, z);
    measured m;
    m.st.resize(b.size());
    for (const auto* c : b.comps)
        m.ratio.push_back(c->how == value_kind::ratio);
    b.record(a, z, m.st.data());
    return m;
}
} // namespace

TEST(Components, ClocksAgreeOnASleep) {
    calibrate_wall_clock();
    open_proc_files();
    auto m = measure({"wall_clock", "monotonic_raw_clock", "monotonic_clock", "thread_cpu_clock",
                      "cpu_util", "trip_count"},
                     [] { std::this_thread::sleep_for(std::chrono::milliseconds(50)); });
    double wall_ns = m.value(0) * g_wall.ns_per_tick;
    EXPECT_GE(wall_ns, 50e6);
    EXPECT_LT(wall_ns, 80e6);
    EXPECT_NEAR(m.value(1), wall_ns, 2e6);
    EXPECT_NEAR(m.value(2), wall_ns, 2e6);
    EXPECT_LT(m.value(3), 5e6) << "sleeping uses no CPU";
    EXPECT_LT(m.value(4), 10.0) << "utilisation in percent";
    EXPECT_EQ(m.value(5), 1.0);
}

TEST(Components, CpuClocksSeeBusyWork) {
    open_proc_files();
    // Spin until this thread has used 60 ms of CPU: on a loaded machine that can take
    // longer in wall time, so utilisation is checked against the clocks, not a constant.
    volatile double x = 0;
    auto m = measure({"thread_cpu_clock", "user_mode_time", "thread_cpu_util", "cpu_clock",
                      "monotonic_raw_clock", "kernel_mode_time"},
                     [&] {
                         timespec t0, t;
                         clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
                         do {
                             for (int i = 0; i < 10000; ++i)
                                 x = x + 1.0;
                             clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
                         } while ((t.tv_sec - t0.tv_sec) * 1e9 + (t.tv_nsec - t0.tv_nsec) < 60e6);
                     });
    EXPECT_GE(m.value(0), 60e6);
    EXPECT_LT(m.value(0), 70e6);
    // The thread's user and kernel time add up to its CPU time, to rusage's resolution (a
    // tick, 4 ms, for each); on a VM, reading a CPU-time clock is a system call, so the
    // kernel's share is not small.
    EXPECT_GT(m.value(1), 0);
    EXPECT_NEAR(m.value(1) + m.value(5), m.value(0), 10e6);
    EXPECT_GE(m.value(3), 40e6);
    const double expected_util = 100.0 * m.value(0) / m.value(4);
    EXPECT_NEAR(m.value(2), expected_util, 5.0);
    EXPECT_LE(m.value(2), 101.0);
}

TEST(Components, MemoryComponentsSeeTouchedPages) {
    open_proc_files();
    const size_t bytes = 64u << 20;
    char* p = nullptr;
    auto m = measure(
        {"page_rss", "peak_rss", "virtual_memory", "num_minor_page_faults", "current_peak_rss"},
        [&] {
            // Pages straight from the kernel: a sanitizer's allocator serves malloc from
            // memory it reserved up front, which would move none of these values.
            p = static_cast<char*>(
                mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
            ASSERT_NE(p, MAP_FAILED);
            for (size_t i = 0; i < bytes; i += 4096)
                p[i] = 1;
        });
    EXPECT_GT(m.value(0), 0.9 * bytes);
    EXPECT_GT(m.value(1), 0.5 * bytes); // the high-water mark grew by the new pages
    EXPECT_GT(m.value(2), 0.9 * bytes);
    EXPECT_GT(m.value(3), 0.9 * bytes / 4096);
    EXPECT_GT(m.value(4), double(bytes)); // absolute high-water mark of the process
    munmap(p, bytes);
}

TEST(Components, WrittenBytesSeesFileOutput) {
    open_proc_files();
    std::string why;
    const auto& wb = catalog()[find_component("written_bytes")];
    if (!wb.available(&why)) GTEST_SKIP() << "written_bytes unavailable: " << why;
    std::string path = ::testing::TempDir() + "/components_written.bin";
    auto m = measure({"written_bytes"}, [&] {
        FILE* f = fopen(path.c_str(), "wb");
        std::vector<char> buf(4 << 20, 'x');
        fwrite(buf.data(), 1, buf.size(), f);
        fflush(f);
        fsync(fileno(f));
        fclose(f);
    });
    unlink(path.c_str());
    // Some filesystems (tmpfs, overlay in containers) do no block I/O at all.
    if (m.value(0) == 0) GTEST_SKIP() << "the filesystem under " << path << " does no block I/O";
    EXPECT_GE(m.value(0), double(4 << 20));
}
