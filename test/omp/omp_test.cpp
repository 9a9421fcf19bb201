// OpenMP through OMPT: every parallel region's work is placed under the region that ran
// it, per region (libomp reuses its workers across regions), each thread's share apart
// from the primary thread's, exclusive values never negative. And a program on GCC's
// libgomp (no OMPT) is told once what is missing.
#include <gtest/gtest.h>

#include <functional>

#include "../common/trace_check.hpp"
#include "../e2e/harness.hpp"

using namespace e2e;

namespace {

run_result run_app(const std::string& name, const std::string& app,
                   const std::vector<std::string>& args,
                   std::map<std::string, std::string> env = {}) {
    env.emplace("TIMEMORY_OUTPUT_PATH", "out");
    env.emplace("OMP_NUM_THREADS", "4");
    std::vector<std::string> argv{app};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(name, argv, env);
}

// Calls `fn(node, path)` for every node of a tree.json below `root`.
void walk(const json& root, const std::function<void(const json&, const std::string&)>& fn,
          const std::string& path = "") {
    for (const auto& c : root["children"]) {
        const std::string p = path + "/" + c["node"]["name"].get<std::string>();
        fn(c, p);
        walk(c, fn, p);
    }
}

// The children of `n` called `name` (several: the primary thread's and the workers').
std::vector<const json*> children(const json& n, const std::string& name) {
    std::vector<const json*> out;
    for (const auto& c : n["children"])
        if (c["node"]["name"] == name) out.push_back(&c);
    return out;
}

const json* region_under(const json& fn) {
    for (const auto& c : fn["children"])
        if (c["node"]["name"].get<std::string>().rfind("[omp parallel]", 0) == 0) return &c;
    return nullptr;
}

uint64_t laps_named(const json& n, const std::string& name) {
    uint64_t total = 0;
    walk(n, [&](const json& c, const std::string&) {
        if (c["node"]["name"] == name) total += laps(&c);
    });
    return total;
}

double excl_sum(const json& n) {
    return n["node"]["exclusive"]["stats"]["sum"].get<double>();
}

} // namespace

TEST(OpenMP, EachRegionsWorkIsUnderTheFunctionThatRanIt) {
    const int rounds = 5;
    auto r = run_app("phases", TIMEMORY_OMP_APP, {"phases", std::to_string(rounds)});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    json root = tree_root(r.dir / "out/latest/wall.tree.json", "wall_clock");
    const json* main = child(root, "main");
    ASSERT_NE(main, nullptr);
    for (const char* fn : {"step", "other_phase"}) {
        SCOPED_TRACE(fn);
        const json* f = child(*main, fn);
        ASSERT_NE(f, nullptr);
        const json* region = region_under(*f);
        ASSERT_NE(region, nullptr) << f->dump(1);
        // Named after the function holding the construct (from the program's .symtab: the
        // function is not exported).
        EXPECT_EQ((*region)["node"]["name"], std::string("[omp parallel] ") + fn + "()");
        EXPECT_EQ(laps(region), uint64_t(rounds));
        // One share per thread per region: the primary thread's, and the workers' apart.
        auto tasks = children(*region, "[omp implicit task]");
        ASSERT_EQ(tasks.size(), 2u) << region->dump(1);
        const json* own =
            (*tasks[0])["node"]["tid"] == (*region)["node"]["tid"] ? tasks[0] : tasks[1];
        const json* workers = own == tasks[0] ? tasks[1] : tasks[0];
        EXPECT_EQ(laps(own), uint64_t(rounds));
        EXPECT_EQ(laps(workers), uint64_t(3 * rounds)) << "3 workers per region";
        EXPECT_NE((*workers)["node"]["tid"], (*region)["node"]["tid"]);
        EXPECT_EQ((*workers)["node"]["threads"], 3);
        EXPECT_EQ((*own)["node"]["threads"], 1);
        // Every iteration of this function's loop, and none of the other function's.
        EXPECT_EQ(laps_named(*region, "work"), uint64_t(8 * rounds));
        EXPECT_EQ(laps_named(*f, "work"), uint64_t(8 * rounds));
        // The region's own time is the primary thread's fork/join: workers never count.
        EXPECT_NEAR(excl_sum(*region), incl_sum(region) - incl_sum(own),
                    1e-9 + 1e-9 * incl_sum(region));
    }
    walk(root, [](const json& n, const std::string& path) { EXPECT_GE(excl_sum(n), 0.0) << path; });
}

TEST(OpenMP, PerThreadReportsShowEachThreadsShareOfEveryRegion) {
    auto r = run_app("per-thread", TIMEMORY_OMP_APP, {"phases", "3"},
                     {{"TIMEMORY_COLLAPSE_THREADS", "OFF"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    json root = tree_root(r.dir / "out/latest/wall.tree.json", "wall_clock");
    int threads = 0;
    uint64_t work = 0;
    for (const auto& c : root["children"]) {
        const std::string name = c["node"]["name"];
        if (name.rfind("[thread ", 0) == 0) {
            ++threads;
            // A worker's regions are its top-level nodes, one per construct.
            EXPECT_EQ(c["children"].size(), 2u) << c.dump(1);
        }
        work += laps_named(c, "work");
    }
    EXPECT_EQ(threads, 3);
    EXPECT_EQ(work, uint64_t(2 * 8 * 3));
}

TEST(OpenMP, NestedRegionsAndTasksKeepAConsistentTree) {
    auto n = run_app("nested", TIMEMORY_OMP_APP, {"nested"});
    ASSERT_EQ(n.exit_code(), 0) << n.err;
    json root = tree_root(n.dir / "out/latest/wall.tree.json", "wall_clock");
    EXPECT_EQ(laps_named(root, "work"), 4u) << "2 outer threads × 2 inner";
    uint64_t inner = 0;
    walk(root, [&](const json& c, const std::string& path) {
        EXPECT_GE(excl_sum(c), 0.0) << path;
        if (c["node"]["depth"] == 3 &&
            c["node"]["name"].get<std::string>().rfind("[omp parallel]", 0) == 0)
            inner += laps(&c);
    });
    EXPECT_EQ(inner, 2u) << "each outer thread opened one inner region, under its share";

    auto t = run_app("tasks", TIMEMORY_OMP_APP, {"tasks"});
    ASSERT_EQ(t.exit_code(), 0) << t.err;
    root = tree_root(t.dir / "out/latest/wall.tree.json", "wall_clock");
    EXPECT_EQ(laps_named(root, "work"), 16u);
    walk(root,
         [&](const json& c, const std::string& path) { EXPECT_GE(excl_sum(c), 0.0) << path; });
}

TEST(OpenMP, ARegionOfOneThreadHasOnlyThePrimaryThreadsShare) {
    auto r = run_app("one-thread", TIMEMORY_OMP_APP, {"one-thread"});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    json root = tree_root(r.dir / "out/latest/wall.tree.json", "wall_clock");
    const json* main = child(root, "main");
    ASSERT_NE(main, nullptr);
    const json* region = region_under(*main);
    ASSERT_NE(region, nullptr) << main->dump(1);
    EXPECT_EQ(laps(region), 1u);
    auto tasks = children(*region, "[omp implicit task]");
    ASSERT_EQ(tasks.size(), 1u) << region->dump(1);
    EXPECT_EQ((*tasks[0])["node"]["tid"], (*region)["node"]["tid"]);
    EXPECT_EQ(laps_named(*region, "work"), 1u);
}

TEST(OpenMP, TurnedOffLeavesNoOpenMPNodes) {
    auto r = run_app("off", TIMEMORY_OMP_APP, {"phases", "2"}, {{"TIMEMORY_OMPT", "OFF"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    json root = tree_root(r.dir / "out/latest/wall.tree.json", "wall_clock");
    walk(root, [](const json&, const std::string& path) {
        EXPECT_EQ(path.find("[omp"), std::string::npos) << path;
    });
    EXPECT_EQ(r.err.find("libgomp"), std::string::npos) << r.err;
}

TEST(OpenMP, WithLibgompTheProgramIsToldOnceWhatIsMissing) {
#ifndef TIMEMORY_GOMP_APP
    GTEST_SKIP() << "this build's compiler is not GCC: no libgomp program to run";
#else
    auto r = run_app("gomp", TIMEMORY_GOMP_APP, {"phases", "2"});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    const std::string line = "the program uses GCC's libgomp, which has no OMPT interface";
    const size_t at = r.err.find(line);
    EXPECT_NE(at, std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(line, at + 1), std::string::npos) << "once: " << r.err;
    json root = tree_root(r.dir / "out/latest/wall.tree.json", "wall_clock");
    EXPECT_EQ(laps_named(root, "work"), uint64_t(2 * 8 * 2)) << "every call still counted";
#endif
}
