// End-to-end: run the test program and the tools with different settings; check the files.
#include <gtest/gtest.h>

#include <csignal>
#include <regex>

#include "../common/sanitizers.hpp"
#include "../common/trace_check.hpp"
#include "harness.hpp"

using namespace e2e;

namespace {

const std::string app = TIMEMORY_E2E_APP;

run_result run_app(const std::string& name, const std::string& mode,
                   std::map<std::string, std::string> env = {}) {
    if (!env.count("TIMEMORY_OUTPUT_PATH")) env["TIMEMORY_OUTPUT_PATH"] = "out";
    return run(name, {app, mode}, env);
}

const json& find_record(const json& recs, const std::string& name, int depth = -1) {
    for (const auto& r : recs)
        if (r["prefix"] == name && (depth < 0 || r["depth"] == depth)) return r;
    static const json none;
    ADD_FAILURE() << "no record named " << name;
    return none;
}

int count_named(const json& recs, const std::string& name) {
    int n = 0;
    for (const auto& r : recs)
        n += r["prefix"] == name;
    return n;
}

} // namespace

TEST(E2E, NestedTreeHasExactShapeAndCounts) {
    auto r = run_app("nested", "nested");
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    json root = tree_root(r.dir / "out/latest/wall.tree.json", "wall_clock");
    ASSERT_EQ(root["children"].size(), 1u);
    const json* main = child(root, "main");
    ASSERT_NE(main, nullptr);
    EXPECT_EQ(laps(main), 1u);
    ASSERT_EQ((*main)["children"].size(), 2u);
    const json* outer = child(*main, "outer");
    EXPECT_EQ(laps(outer), 2u);
    const json* inner = child(*outer, "inner");
    EXPECT_EQ(laps(inner), 6u);
    EXPECT_EQ((*inner)["node"]["depth"], 2);
    EXPECT_TRUE((*inner)["children"].empty());
    // Exclusive = inclusive - children, so main's self time excludes the 100 ms sleep.
    const json* sleep = child(*main, "sleep_100ms");
    double main_self = (*main)["node"]["exclusive"]["stats"]["sum"];
    EXPECT_LT(main_self, incl_sum(main) - incl_sum(sleep) + 1e-9);
    EXPECT_TRUE((*inner)["node"]["exclusive"]["stats"]["min"].is_null());
}

TEST(E2E, SleepOf100msIsMeasuredWithinTolerance) {
    for (const char* units : {"sec", "ms"}) {
        auto r =
            run_app(std::string("sleep-") + units, "nested", {{"TIMEMORY_TIMING_UNITS", units}});
        ASSERT_EQ(r.exit_code(), 0) << r.err;
        json recs = records(r.dir / "out/latest/wall.json", "wall_clock");
        double v = find_record(recs, "sleep_100ms")["inclusive"]["stats"]["sum"];
        double scale = std::string(units) == "ms" ? 1e3 : 1.0;
        EXPECT_GE(v, 0.100 * scale) << units;
        // What the program's own clock saw around the same sleep: a loaded machine
        // oversleeps (434 ms once under ASan), and both see it.
        const double seen = std::stod(slurp(r.dir / "sleep_ns.txt")) * 1e-9 * scale;
        EXPECT_LE(v, seen * 1.001) << units;
        EXPECT_GE(v, seen - 0.002 * scale) << units;
        EXPECT_EQ(load_json(r.dir / "out/latest/wall.json")["timemory"]["wall_clock"]["unit_repr"],
                  std::string(units) == "ms" ? "msec" : "sec");
    }
}

TEST(E2E, MonotonicWallClockSourceMeasuresTheSame) {
    auto r = run_app("monotonic", "nested", {{"TIMEMORY_WALL_CLOCK_SOURCE", "monotonic"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_EQ(load_json(r.dir / "out/latest/metadata.json")["timemory"]["wall_clock_source"],
              "clock_monotonic");
    double v = find_record(records(r.dir / "out/latest/wall.json", "wall_clock"),
                           "sleep_100ms")["inclusive"]["stats"]["sum"];
    const double seen = std::stod(slurp(r.dir / "sleep_ns.txt")) * 1e-9;
    EXPECT_GE(v, 0.100);
    EXPECT_LE(v, seen * 1.001);
    EXPECT_GE(v, seen - 0.002);
}

TEST(E2E, TextReportHasReferenceColumnsAndDecoratedLabels) {
    // Explicit units give the reference layout (a UNITS column).
    auto r = run_app("text", "nested",
                     {{"TIMEMORY_COUT_OUTPUT", "ON"}, {"TIMEMORY_TIMING_UNITS", "sec"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    std::string txt = slurp(r.dir / "out/latest/wall.txt");
    EXPECT_NE(txt.find("REAL-CLOCK TIMER (I.E. WALL-CLOCK TIMER)"), std::string::npos);
    EXPECT_TRUE(std::regex_search(
        txt,
        std::regex(
            R"(\| LABEL +\| COUNT +\| DEPTH +\| METRIC +\| UNITS +\| SUM +\| MEAN +\| MIN +\| MAX +\| STDDEV +\| % SELF +\|)")));
    EXPECT_TRUE(std::regex_search(txt, std::regex(R"(\| \|0>>>   \|_inner +\| +6 \| +2 \| wall)")));
    EXPECT_NE(r.out.find("|0>>> |_outer"), std::string::npos) << "COUT_OUTPUT prints the table";
    // Raw names in JSON carry no decoration.
    EXPECT_EQ(txt.find(">>> |_"), txt.find(">>> |_outer"));
    EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
}

TEST(E2E, MetadataRecordsCommandLineSettingsAndTimes) {
    auto r = run_app("meta", "nested");
    json m = load_json(r.dir / "out/latest/metadata.json")["timemory"];
    EXPECT_EQ(m["command_line"][1], "nested");
    EXPECT_EQ(m["settings"]["TIMEMORY_OUTPUT_PATH"], "out");
    EXPECT_EQ(m["settings"]["TIMEMORY_COMPONENTS"], "wall_clock");
    EXPECT_FALSE(m["start_time"].get<std::string>().empty());
    EXPECT_FALSE(m["hostname"].get<std::string>().empty());
    EXPECT_EQ(m["node_count"], 4);
}

TEST(E2E, ThreadsMergeUnderTheRegionThatStartedThem) {
    auto r = run_app("threads", "threads");
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    json root = tree_root(r.dir / "out/latest/wall.tree.json", "wall_clock");
    const json* spawn = child(*child(root, "main"), "spawn");
    ASSERT_NE(spawn, nullptr);
    const json* worker = child(*spawn, "worker");
    ASSERT_NE(worker, nullptr);
    EXPECT_EQ(laps(worker), 4u);
    EXPECT_EQ(laps(child(*worker, "work")), 20u);
    const json* open = child(*spawn, "left_open");
    ASSERT_NE(open, nullptr) << "a thread that exits inside a region keeps its data";
    EXPECT_EQ(laps(open), 1u);
    EXPECT_GE(incl_sum(open), 0.002);
    EXPECT_EQ(root["children"].size(), 1u);
    EXPECT_EQ(
        load_json(r.dir / "out/latest/metadata.json")["timemory"]["failures"]["closed_at_end"], 1);
}

TEST(E2E, ThreadsStaySeparateWhenNotCollapsed) {
    auto r = run_app("threads-sep", "threads", {{"TIMEMORY_COLLAPSE_THREADS", "OFF"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    json recs = records(r.dir / "out/latest/wall.json", "wall_clock");
    int thread_roots = 0;
    for (const auto& rec : recs) {
        std::string p = rec["prefix"];
        if (p.rfind("[thread ", 0) == 0) {
            ++thread_roots;
            EXPECT_EQ(rec["depth"], 0);
        }
    }
    EXPECT_EQ(thread_roots, 5); // four workers and the thread that leaves a region open
    EXPECT_EQ(count_named(recs, "worker"), 4);
    for (const auto& rec : recs) {
        if (rec["prefix"] == "work") {
            EXPECT_EQ(rec["inclusive"]["entry"]["laps"], 5);
            EXPECT_NE(rec["tid"], 0);
        }
    }
}

TEST(E2E, ForkChildWritesItsOwnReportWithoutParentData) {
    auto r = run_app("fork", "fork");
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex("child=([0-9]+)")));
    // Each process has its own run folder.
    fs::path child_dir = run_folder_of(r.dir / "out", std::stol(m[1].str()));
    ASSERT_FALSE(child_dir.empty());
    json parent = records(run_folder_of(r.dir / "out", r.pid) / "wall.json", "wall_clock");
    json child_recs = records(child_dir / "wall.json", "wall_clock");
    EXPECT_EQ(count_named(parent, "before_fork"), 1);
    EXPECT_EQ(count_named(parent, "in_parent"), 1);
    EXPECT_EQ(count_named(parent, "in_child"), 0);
    EXPECT_EQ(count_named(child_recs, "before_fork"), 0);
    EXPECT_EQ(count_named(child_recs, "in_parent"), 0);
    EXPECT_EQ(find_record(child_recs, "in_child")["inclusive"]["entry"]["laps"], 2);
    EXPECT_EQ(find_record(parent, "main")["inclusive"]["entry"]["laps"], 1);
}

TEST(E2E, MaxDepthStopsRecordingDeeperRegions) {
    auto r = run_app("depth", "deep", {{"TIMEMORY_MAX_DEPTH", "3"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    json recs = records(r.dir / "out/latest/wall.json", "wall_clock");
    ASSERT_EQ(recs.size(), 3u); // main, recurse, recurse
    for (const auto& rec : recs)
        EXPECT_LE(rec["depth"].get<int>(), 2);
}

TEST(E2E, FlatProfileRecordsEverythingAtDepthZero) {
    auto r = run_app("flat", "deep", {{"TIMEMORY_FLAT_PROFILE", "ON"}});
    json recs = records(r.dir / "out/latest/wall.json", "wall_clock");
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(find_record(recs, "recurse", 0)["inclusive"]["entry"]["laps"], 10);
    EXPECT_EQ(find_record(recs, "main", 0)["inclusive"]["entry"]["laps"], 1);
}

TEST(E2E, TimelineKeepsEveryInvocationWithRealStartTimes) {
    auto r = run_app("timeline", "nested", {{"TIMEMORY_TIMELINE_PROFILE", "ON"}});
    json recs = records(r.dir / "out/latest/wall.json", "wall_clock");
    EXPECT_EQ(count_named(recs, "inner"), 6);
    EXPECT_EQ(count_named(recs, "outer"), 2);
    double last = -1;
    for (const auto& rec : recs) {
        if (rec["prefix"] != "inner") continue;
        EXPECT_EQ(rec["inclusive"]["entry"]["laps"], 1);
        double t = rec["start_ns"];
        EXPECT_GT(t, last);
        last = t;
    }
    json fg = load_json(r.dir / "out/latest/wall.flamegraph.json");
    EXPECT_EQ(trace_check::problems(fg), "");
    // Every node drawn, or counted as shorter than the trace's quantum (compensated calls
    // of an empty function take 0 ns).
    EXPECT_EQ(trace_check::complete_events(fg).size() +
                  fg["otherData"]["nodes_shorter_than_quantum_left_out"].get<size_t>(),
              recs.size());
}

TEST(E2E, ExceptionThroughRegionsIsReconciled) {
    auto r = run_app("exception", "exception");
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    json root = tree_root(r.dir / "out/latest/wall.tree.json", "wall_clock");
    const json* main = child(root, "main");
    const json* t = child(*main, "try");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(laps(t), 2u);
    const json* l1 = child(*t, "level1");
    const json* l2 = child(*l1, "level2");
    const json* l3 = child(*l2, "level3");
    EXPECT_EQ(laps(l1), 2u);
    EXPECT_EQ(laps(l2), 2u);
    EXPECT_EQ(laps(l3), 2u);
    const json* after = child(*main, "after");
    ASSERT_NE(after, nullptr) << "'after' must be a sibling of 'try', not nested in level3";
    EXPECT_EQ(laps(after), 2u);
    json m = load_json(r.dir / "out/latest/metadata.json")["timemory"];
    EXPECT_EQ(m["failures"]["reconciled_frames"], 6);
}

TEST(E2E, LongjmpOverARegionIsReconciled) {
    auto r = run_app("longjmp", "longjmp");
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    json root = tree_root(r.dir / "out/latest/wall.tree.json", "wall_clock");
    const json* s = child(*child(root, "main"), "setjmp_region");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(laps(s), 1u);
    EXPECT_EQ(laps(child(*s, "jumped_over")), 1u);
    EXPECT_EQ(
        load_json(r.dir / "out/latest/metadata.json")["timemory"]["failures"]["reconciled_frames"],
        1);
}

TEST(E2E, SeveralComponentsWriteOneReportEach) {
    auto r = run_app("multi", "nested",
                     {{"TIMEMORY_COMPONENTS", "wall_clock, cpu_clock peak_rss,trip_count,page_rss,"
                                              "thread_cpu_util,num_minor_page_faults"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    for (const char* f : {"wall", "cpu", "peak_rss", "trip_count", "page_rss", "thread_cpu_util",
                          "minor_page_flts"}) {
        EXPECT_TRUE(fs::exists(r.dir / "out/latest" / (std::string(f) + ".json"))) << f;
        EXPECT_TRUE(fs::exists(r.dir / "out/latest" / (std::string(f) + ".txt"))) << f;
    }
    json trips = records(r.dir / "out/latest/trip_count.json", "trip_count");
    EXPECT_EQ(find_record(trips, "inner")["inclusive"]["stats"]["sum"], 6.0);
    json util = records(r.dir / "out/latest/thread_cpu_util.json", "thread_cpu_util");
    double sleep_util = find_record(util, "sleep_100ms")["inclusive"]["stats"]["sum"];
    EXPECT_GE(sleep_util, 0.0);
    EXPECT_LT(sleep_util, 20.0) << "a sleeping thread uses almost no CPU";
    json cpu = records(r.dir / "out/latest/cpu.json", "cpu_clock");
    EXPECT_LT(find_record(cpu, "sleep_100ms")["inclusive"]["stats"]["sum"].get<double>(), 0.05);
}

TEST(E2E, UnknownComponentWarnsWithClosestNamesAndTheRestRun) {
    auto r =
        run_app("unknown", "nested", {{"TIMEMORY_COMPONENTS", "wall_clock,wal_clok,cpu_clock"}});
    ASSERT_EQ(r.exit_code(), 0);
    EXPECT_NE(r.err.find("unknown component 'wal_clok'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("closest valid names: wall_clock"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::exists(r.dir / "out/latest/wall.json"));
    EXPECT_TRUE(fs::exists(r.dir / "out/latest/cpu.json"));
}

// Without a GPU (here, CI) cupti_activity says why and the run goes on; on a GPU machine
// test/gpu/run_gpu_test.sh checks what it records.
TEST(E2E, CuptiActivityWithoutGpuSaysWhyAndTheRunGoesOn) {
    auto avail = run("avail-cupti", {TIMEMORY_AVAIL, "-c"}, {});
    std::smatch m;
    std::regex row(R"(cupti_activity\s+cupti_activity\s+(yes|no))");
    ASSERT_TRUE(std::regex_search(avail.out, m, row)) << avail.out;
    if (m[1] == "yes") GTEST_SKIP() << "this machine has a GPU: see test/gpu/run_gpu_test.sh";
    auto r = run_app("cupti", "nested", {{"TIMEMORY_COMPONENTS", "wall_clock,cupti_activity"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    const std::string head = "component 'cupti_activity' is not available here: ";
    size_t at = r.err.find(head);
    ASSERT_NE(at, std::string::npos) << r.err;
    // The reason is specific: no driver, no device, or a build without CUPTI.
    std::string reason = r.err.substr(at + head.size(), r.err.find('\n', at) - at - head.size());
    EXPECT_TRUE(reason.find("CUDA driver") != std::string::npos ||
                reason.find("CUDA device") != std::string::npos ||
                reason.find("no CUPTI support") != std::string::npos)
        << reason;
    EXPECT_TRUE(fs::exists(r.dir / "out/latest/wall.json"));
    EXPECT_FALSE(fs::exists(r.dir / "out/latest/cupti_activity.json"));
    EXPECT_EQ(laps(child(tree_root(r.dir / "out/latest/wall.tree.json", "wall_clock"), "main")),
              1u);
}

TEST(E2E, AliasGlobalComponentsIsAccepted) {
    auto r = run_app("alias", "nested", {{"TIMEMORY_GLOBAL_COMPONENTS", "trip_count"}});
    EXPECT_TRUE(fs::exists(r.dir / "out/latest/trip_count.json"));
    EXPECT_FALSE(fs::exists(r.dir / "out/latest/wall.json"));
}

TEST(E2E, MalformedSettingsWarnOnceAndKeepDefaults) {
    auto r = run_app("bad", "deep",
                     {{"TIMEMORY_MAX_DEPTH", "abc"},
                      {"TIMEMORY_FLAT_PROFILE", "maybe"},
                      {"TIMEMORY_TIMING_UNITS", "fortnights"}});
    ASSERT_EQ(r.exit_code(), 0);
    EXPECT_NE(r.err.find(
                  "TIMEMORY_MAX_DEPTH: invalid value 'abc' (expected an integer); keeping '65535'"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("TIMEMORY_FLAT_PROFILE: invalid value 'maybe'"), std::string::npos);
    EXPECT_NE(r.err.find("TIMEMORY_TIMING_UNITS: invalid value 'fortnights'"), std::string::npos);
    json recs = records(r.dir / "out/latest/wall.json", "wall_clock");
    EXPECT_EQ(recs.size(), 11u) << "defaults kept: nested, all 10 levels";
}

TEST(E2E, MisspeltVariablesAreNamedWithTheClosestSetting) {
    auto r = run_app("misspelt", "nested",
                     {{"TIMEMORY_COMPONENT", "cpu_clock"},
                      {"TIMEMORY_FROBNICATE", "1"},
                      {"TIMEMORY_INSTR_CONFIG", "plugin.cfg"}}); // the plugin's, not ours
    ASSERT_EQ(r.exit_code(), 0);
    const std::string hint = "TIMEMORY_COMPONENT is not a timemory setting (did you mean "
                             "TIMEMORY_COMPONENTS?); ignored";
    size_t at = r.err.find(hint);
    EXPECT_NE(at, std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(hint, at + 1), std::string::npos) << "once: " << r.err;
    EXPECT_NE(r.err.find("TIMEMORY_FROBNICATE is not a timemory setting; ignored"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("TIMEMORY_INSTR_CONFIG"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::exists(r.dir / "out/latest/wall.json")) << "the misspelt list is not used";
    EXPECT_FALSE(fs::exists(r.dir / "out/latest/cpu.json"));
}

TEST(E2E, UnwritableOutputFolderFallsBackAndSaysWhere) {
    fs::path tmp = fresh_dir("fallback-tmp");
    auto r = run_app("unwritable", "nested",
                     {{"TIMEMORY_OUTPUT_PATH", "/proc/no/such/place"}, {"TMPDIR", tmp.string()}});
    ASSERT_EQ(r.exit_code(), 0);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.err, m, std::regex("writing the reports to '([^']+)'")))
        << r.err;
    EXPECT_EQ(fs::path(m[1].str()).parent_path(), tmp);
    EXPECT_EQ(
        count_named(records(fs::path(m[1].str()) / "latest/wall.json", "wall_clock"), "inner"), 1);
}

TEST(E2E, DisabledRuntimeWritesNothing) {
    auto r = run_app("off", "nested", {{"TIMEMORY_ENABLED", "OFF"}});
    ASSERT_EQ(r.exit_code(), 0);
    EXPECT_FALSE(fs::exists(r.dir / "out"));
}

TEST(E2E, SetEnabledSkipsRegionsWhileOff) {
    auto r = run_app("toggle", "disabled");
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    json recs = records(r.dir / "out/latest/wall.json", "wall_clock");
    EXPECT_EQ(count_named(recs, "while_off"), 0);
    EXPECT_EQ(count_named(recs, "while_on"), 1);
    EXPECT_EQ(find_record(recs, "main")["inclusive"]["entry"]["laps"], 1);
}

TEST(E2E, FatalSignalWritesCollectedDataThenDies) {
    auto r =
        run_app("crash", "crash",
                tmtest::without_sanitizer_segv_handler({{"TIMEMORY_ENABLE_SIGNAL_HANDLER", "ON"}}));
    EXPECT_EQ(r.signal(), SIGSEGV);
    json recs = records(r.dir / "out/latest/wall.json", "wall_clock");
    EXPECT_EQ(count_named(recs, "completed"), 1);
    EXPECT_EQ(count_named(recs, "crashing"), 1);
}

TEST(E2E, WithoutSignalHandlerACrashWritesNothing) {
    auto r = run_app("crash-nohandler", "crash", tmtest::without_sanitizer_segv_handler());
    EXPECT_EQ(r.signal(), SIGSEGV);
    EXPECT_FALSE(fs::exists(r.dir / "out/latest/wall.json"));
}

TEST(E2E, ConfigFileIsReadAndEnvironmentOverridesIt) {
    fs::path cfg = fresh_dir("cfgfile") / "timemory.cfg";
    std::ofstream(cfg) << "# a comment\nflat_profile = ON   # trailing comment\n"
                          "TIMEMORY_TIMING_UNITS = ms\nnot a pair\n";
    auto r = run_app("cfg", "deep", {{"TIMEMORY_CONFIG_FILE", cfg.string()}});
    json body = load_json(r.dir / "out/latest/wall.json")["timemory"]["wall_clock"];
    EXPECT_EQ(body["unit_repr"], "msec");
    EXPECT_EQ(body["ranks"][0]["graph"].size(), 2u);
    EXPECT_NE(r.err.find(":4: expected 'KEY = value'"), std::string::npos) << r.err;

    auto r2 = run_app("cfg-env", "deep",
                      {{"TIMEMORY_CONFIG_FILE", cfg.string()}, {"TIMEMORY_FLAT_PROFILE", "OFF"}});
    EXPECT_EQ(records(r2.dir / "out/latest/wall.json", "wall_clock").size(), 11u);
}

TEST(E2E, JsonConfigFileIsRead) {
    fs::path cfg = fresh_dir("jcfgfile") / "timemory.json";
    std::ofstream(cfg) << R"({"timemory": {"settings": {"components": ["trip_count", "wall_clock"],
                             "max_depth": 2, "bogus_key": 1}}})";
    auto r = run_app("jcfg", "deep", {{"TIMEMORY_CONFIG_FILE", cfg.string()}});
    EXPECT_EQ(records(r.dir / "out/latest/trip_count.json", "trip_count").size(), 2u);
    EXPECT_NE(r.err.find("unknown setting 'bogus_key'"), std::string::npos) << r.err;
}

TEST(E2E, MissingOrBrokenConfigFileWarnsAndRuns) {
    auto r = run_app("nocfg", "nested", {{"TIMEMORY_CONFIG_FILE", "/nonexistent.cfg"}});
    EXPECT_EQ(r.exit_code(), 0);
    EXPECT_NE(r.err.find("cannot read config file '/nonexistent.cfg'"), std::string::npos);
    fs::path cfg = fresh_dir("badjsonfile") / "t.json";
    std::ofstream(cfg) << "{\"max_depth\": ";
    auto r2 = run_app("badjson", "nested", {{"TIMEMORY_CONFIG_FILE", cfg.string()}});
    EXPECT_EQ(r2.exit_code(), 0);
    EXPECT_NE(r2.err.find("is not valid JSON"), std::string::npos);
    EXPECT_TRUE(fs::exists(r2.dir / "out/latest/wall.json"));
}

TEST(E2E, FlamegraphEventsNestInsideTheirParents) {
    auto r = run_app("flame", "nested");
    json fg = load_json(r.dir / "out/latest/wall.flamegraph.json");
    EXPECT_EQ(trace_check::problems(fg), "");
    auto ev = trace_check::complete_events(fg);
    json recs = records(r.dir / "out/latest/wall.json", "wall_clock");
    ASSERT_EQ(ev.size(), recs.size());
    // Pre-order, like the records: an event at depth d nests inside the latest at d-1.
    std::vector<std::pair<double, double>> open;
    for (size_t i = 0; i < ev.size(); ++i) {
        const int d = recs[i]["depth"];
        const double ts = ev[i]["ts"], dur = ev[i]["dur"];
        EXPECT_EQ(ev[i]["name"], recs[i]["prefix"]);
        if (d > 0) {
            ASSERT_GE(open.size(), size_t(d));
            EXPECT_GE(ts, open[size_t(d - 1)].first);
            EXPECT_LE(ts + dur, open[size_t(d - 1)].second);
        }
        open.resize(size_t(d));
        open.emplace_back(ts, ts + dur);
    }
    EXPECT_NEAR(find_record(recs, "sleep_100ms")["inclusive"]["stats"]["sum"].get<double>() * 1e6,
                ev[3]["dur"].get<double>(), 1.0);
}

TEST(E2E, OutputPrefixAndTimeOutput) {
    auto r = run_app("prefix", "nested",
                     {{"TIMEMORY_OUTPUT_PREFIX", "run1-"},
                      {"TIMEMORY_RUN_FOLDERS", "OFF"},
                      {"TIMEMORY_TIME_OUTPUT", "ON"},
                      {"TIMEMORY_FLAMEGRAPH_OUTPUT", "OFF"}});
    std::vector<fs::path> subdirs;
    for (auto& e : fs::directory_iterator(r.dir / "out"))
        subdirs.push_back(e.path());
    ASSERT_EQ(subdirs.size(), 1u);
    EXPECT_TRUE(std::regex_match(subdirs[0].filename().string(),
                                 std::regex(R"(\d{4}-\d\d-\d\d_\d\d\.\d\d\.\d\d)")));
    EXPECT_TRUE(fs::exists(subdirs[0] / "run1-wall.json"));
    EXPECT_FALSE(fs::exists(subdirs[0] / "run1-wall.flamegraph.json"));
}

TEST(E2E, AvailListsComponentsAndSettings) {
    auto h = run("avail-help", {TIMEMORY_AVAIL, "--help"}, {});
    EXPECT_EQ(h.exit_code(), 0);
    EXPECT_NE(h.out.find("usage: timemory-avail"), std::string::npos);
    auto c = run("avail-c", {TIMEMORY_AVAIL, "--components"}, {});
    EXPECT_TRUE(std::regex_search(c.out, std::regex(R"(wall_clock +wall +yes)")));
    EXPECT_NE(c.out.find("Physical I/O writes"), std::string::npos);
    auto s = run("avail-s", {TIMEMORY_AVAIL, "--settings"}, {{"TIMEMORY_MAX_DEPTH", "7"}});
    EXPECT_TRUE(std::regex_search(s.out, std::regex(R"(TIMEMORY_MAX_DEPTH +"7" +"65535" +int)")));
    auto bad = run("avail-bad", {TIMEMORY_AVAIL, "--frobnicate"}, {});
    EXPECT_EQ(bad.exit_code(), 2);
    EXPECT_NE(bad.err.find("unknown option '--frobnicate'"), std::string::npos);
}

TEST(E2E, CProgramUsesSitesAndRegions) {
    auto r = run("c-app", {TIMEMORY_E2E_C_APP}, {{"TIMEMORY_OUTPUT_PATH", "out"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_NE(r.out.find("enabled=1"), std::string::npos);
    json recs = records(r.dir / "out/latest/wall.json", "wall_clock");
    ASSERT_EQ(recs.size(), 2u) << "nothing recorded after finalize";
    EXPECT_EQ(recs[0]["prefix"], "c_main");
    EXPECT_EQ(recs[0]["language"], "region");
    EXPECT_EQ(recs[1]["prefix"], "compute");
    EXPECT_EQ(recs[1]["language"], "c");
    EXPECT_EQ(recs[1]["depth"], 1);
    EXPECT_EQ(recs[1]["inclusive"]["entry"]["laps"], 3);
    EXPECT_NE(recs[1]["file"].get<std::string>().find("c_app.c"), std::string::npos);
}

TEST(E2E, ExampleRunsAndMergesItsWorkerThread) {
    auto r = run("example", {TIMEMORY_DEMO_EXAMPLE}, {{"TIMEMORY_OUTPUT_PATH", "out"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    json recs = records(r.dir / "out/latest/wall.json", "wall_clock");
    EXPECT_EQ(find_record(recs, "integrate", 1)["inclusive"]["entry"]["laps"], 5);
    EXPECT_EQ(find_record(recs, "integrate", 2)["inclusive"]["entry"]["laps"], 1);
}
