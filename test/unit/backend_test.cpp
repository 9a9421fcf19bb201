// A backend added without touching the core: compiled only into this test, registered
// before start-up, it supplies a group component, a per-thread counter, a thread-exit hook
// and a report of its own; a second one stands for a backend the build lacks.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "backends/backend.hpp"
#include "timemory/timemory.h"
#include "timemory/timemory.hpp"

using namespace timemory::rt;

namespace {

thread_local int64_t t_units = 0; // what the test backend counts: work units of a thread
std::atomic<int> g_thread_exits{0};
std::vector<int> g_values;

std::vector<component> test_components() {
    return {backend_group("test", "test_units", "Work units (a backend of the tests)",
                          unit_kind::count)};
}

bool test_available(std::string*) {
    return true;
}

std::vector<int> test_expand(const component& group) {
    if (g_values.empty()) {
        component c{group.id,         "units",           "work units",
                    unit_kind::count, value_kind::delta, field::counter_first};
        c.group = group.id;
        g_values.push_back(add_component(c));
    }
    return g_values;
}

void test_read(int64_t* out) noexcept {
    out[0] = t_units;
}

void test_thread_exit() noexcept {
    ++g_thread_exits;
}

// Its own report: one node holding the units counted so far on the main thread.
bool test_own_report(timemory::result& out) {
    out.components.push_back(
        {"test_ledger", "test_ledger", "units by the test", "count", "", 1, ""});
    timemory::result_node n;
    n.name = n.linkage = "ledger_entry";
    n.count = 1;
    n.inclusive.push_back({double(t_units), double(t_units), double(t_units), double(t_units), 0});
    n.exclusive = n.inclusive;
    out.nodes.push_back(n);
    return true;
}

const backend test_backend{"test",           test_components, nullptr,
                           test_available,   test_expand,     test_read,
                           test_thread_exit, test_own_report, nullptr};

std::vector<component> absent_components() {
    return {
        backend_group("absent", "absent_thing", "A backend this build lacks", unit_kind::count)};
}
const backend absent_backend{"absent", absent_components, "libabsent was not found"};

// Before any constructor of the runtime's (priority 101 runs first): the catalog is built
// on first use, and these join it then.
__attribute__((constructor(101))) void add_backends() {
    register_backend(&test_backend);
    register_backend(&absent_backend);
}

timemory_site site(const char* name) {
    return timemory_site{0, TIMEMORY_LANG_CXX, name, name, __FILE__, __LINE__, TIMEMORY_SITE_ABI};
}

const timemory::result_node* find(const timemory::result& r, const std::string& name,
                                  int64_t parent) {
    for (const auto& n : r.nodes)
        if (n.name == name && n.parent == parent) return &n;
    return nullptr;
}

} // namespace

TEST(Backend, AddedBackendCountsPerNodeAndThread) {
    ASSERT_TRUE(timemory::settings::set("components", "wall_clock,test_units"));
    static timemory_site outer = site("outer"), inner = site("inner");
    timemory_enter(&outer);
    t_units += 5;
    timemory_enter(&inner);
    t_units += 3;
    timemory_exit(&inner);
    std::thread([] {
        timemory_enter(&inner);
        t_units += 7;
        timemory_exit(&inner);
    }).join();
    timemory_exit(&outer);
    EXPECT_EQ(g_thread_exits.load(), 1) << "the thread that recorded ended once";

    timemory::result r = timemory::snapshot();
    size_t units = r.components.size();
    for (size_t c = 0; c < r.components.size(); ++c)
        if (r.components[c].group == "test_units") units = c;
    ASSERT_LT(units, r.components.size()) << "the backend's value is collected";
    EXPECT_EQ(r.components[units].label, "units");

    const auto* o = find(r, "outer", -1);
    ASSERT_NE(o, nullptr);
    const int64_t oi = o - r.nodes.data();
    const timemory::result_node* own = nullptr;
    const timemory::result_node* other = nullptr;
    for (const auto& n : r.nodes)
        if (n.name == "inner" && n.parent == oi) (n.tid == o->tid ? own : other) = &n;
    ASSERT_NE(own, nullptr);
    ASSERT_NE(other, nullptr) << "the thread's call, under the region it was started from";
    EXPECT_DOUBLE_EQ(o->inclusive[units].sum, 8.0) << "its own thread's units only";
    EXPECT_DOUBLE_EQ(own->inclusive[units].sum, 3.0);
    EXPECT_DOUBLE_EQ(other->inclusive[units].sum, 7.0);
    EXPECT_DOUBLE_EQ(o->exclusive[units].sum, 5.0);
}

TEST(Backend, ItsOwnReportIsWrittenWithTheOthers) {
    const std::string dir = ::testing::TempDir() + "backend-own-report";
    ASSERT_TRUE(timemory::settings::set("output_path", dir));
    ASSERT_TRUE(timemory::settings::set("run_folders", "OFF"));
    const std::string where = timemory::write_reports();
    ASSERT_FALSE(where.empty());
    std::ifstream in(where + "/test_ledger.json");
    ASSERT_TRUE(in.good()) << where;
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("ledger_entry"), std::string::npos) << text;
}

TEST(Backend, EveryBackendIsListedAndAMissingOneSaysWhy) {
    bool test = false, absent = false;
    for (const auto& d : timemory::component_catalog(true)) {
        if (d.id == "test_units") test = d.available;
        if (d.id == "absent_thing") {
            absent = true;
            EXPECT_FALSE(d.available);
            EXPECT_EQ(d.unavailable_reason, "libabsent was not found");
        }
    }
    EXPECT_TRUE(test);
    EXPECT_TRUE(absent);
    std::string why;
    EXPECT_FALSE(timemory::component_available("absent_thing", &why));
    EXPECT_EQ(why, "libabsent was not found");
    // No backend of these two counts outside the call graph: the built-in ones decide.
    EXPECT_EQ(find_backend("test")->counters, nullptr);
}
