// End-to-end PAPI tests: the SDE program (sde_app.c) measured through PAPI, exact counts
// per call-graph node; the messages for missing hardware counters and bad event names;
// hardware counters themselves when this machine has them (skipped with the reason when
// it does not).
#include <papi.h>

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "../e2e/harness.hpp"

using namespace e2e;

namespace {

const std::string app = TIMEMORY_PAPI_SDE_APP;
const std::string both = "sde:::tmtest::ITEMS,sde:::tmtest::BYTES";

run_result run_sde(const std::string& name, std::map<std::string, std::string> env) {
    env.emplace("TIMEMORY_OUTPUT_PATH", "out");
    env.emplace("TIMEMORY_COMPONENTS", "wall_clock,papi_vector");
    return run(name, {app}, env);
}

// The flat record named `name` of a papi_vector.json.
const json& record(const json& recs, const std::string& name) {
    for (const auto& r : recs)
        if (r["prefix"] == name) return r;
    static const json none;
    ADD_FAILURE() << "no record named " << name;
    return none;
}

// Inclusive (or exclusive) sum of event `event` at a record.
double value(const json& rec, const std::string& event, const char* which = "inclusive") {
    return rec[which]["stats"]["sum"][event].get<double>();
}

// Whether this machine can count PAPI_TOT_CYC, and why not. PAPI_query_event is not
// enough: in a VM without a PMU it can say yes while adding the event to a set fails, so
// this does what the runtime does (a set, the event, start and stop).
bool hardware_cycles(std::string* why) {
    if (PAPI_library_init(PAPI_VER_CURRENT) != PAPI_VER_CURRENT) {
        *why = "PAPI_library_init failed";
        return false;
    }
    auto no = [why](const std::string& step, int rc) {
        const PAPI_component_info_t* ci = PAPI_get_component_info(0);
        *why = "PAPI_TOT_CYC cannot be counted here (" + step + ": " + PAPI_strerror(rc) +
               "; " + (ci ? std::string(ci->name) + ": " + ci->disabled_reason : "no component") +
               "; " + std::to_string(PAPI_num_hwctrs()) + " hardware counters)";
        return false;
    };
    int code = 0, rc = PAPI_event_name_to_code("PAPI_TOT_CYC", &code);
    if (rc != PAPI_OK) return no("name to code", rc);
    if ((rc = PAPI_query_event(code)) != PAPI_OK) return no("query", rc);
    int set = PAPI_NULL;
    if ((rc = PAPI_create_eventset(&set)) != PAPI_OK) return no("create set", rc);
    long long value = 0;
    rc = PAPI_add_event(set, code);
    if (rc == PAPI_OK) rc = PAPI_start(set);
    if (rc == PAPI_OK) rc = PAPI_stop(set, &value);
    PAPI_cleanup_eventset(set);
    PAPI_destroy_eventset(&set);
    return rc == PAPI_OK ? true : no("add, start and stop", rc);
}

std::string paranoid() {
    std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
    std::string v;
    in >> v;
    return v;
}

} // namespace

TEST(PapiSde, ExactCountsPerCallGraphNode) {
    auto r = run_sde("sde-exact", {{"TIMEMORY_PAPI_EVENTS", both}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
    json recs = records(r.dir / "out/latest/papi_vector.json", "papi_vector");
    const std::string items = "sde:::tmtest::ITEMS", bytes = "sde:::tmtest::BYTES";
    const json& inner = record(recs, "inner");
    EXPECT_EQ(inner["inclusive"]["entry"]["laps"], 3);
    EXPECT_EQ(value(inner, items), 15);
    EXPECT_EQ(value(inner, bytes), 300);
    EXPECT_EQ(inner["inclusive"]["stats"]["min"][items], 5);
    EXPECT_EQ(inner["inclusive"]["stats"]["max"][items], 5);
    EXPECT_EQ(inner["inclusive"]["stats"]["mean"][bytes], 100);
    const json& outer = record(recs, "outer");
    EXPECT_EQ(value(outer, items), 15);
    EXPECT_EQ(value(outer, items, "exclusive"), 0);
    EXPECT_EQ(value(record(recs, "other"), items), 7);
    EXPECT_EQ(value(record(recs, "other"), bytes), 0);
    // The worker thread counts in its own event set and is merged under "spawn".
    const json& worker = record(recs, "worker");
    EXPECT_EQ(value(worker, items), 11);
    EXPECT_EQ(worker["depth"], 2);
    EXPECT_EQ(value(record(recs, "spawn"), items), 11);
    const json& main = record(recs, "main");
    EXPECT_EQ(value(main, items), 33);
    EXPECT_EQ(value(main, bytes), 300);
    EXPECT_EQ(value(main, items, "exclusive"), 0);
    // The wall clock report is still there, unchanged by the group.
    EXPECT_TRUE(fs::exists(r.dir / "out/latest/wall.json"));
}

TEST(PapiSde, ReportsListEveryEventTheHatchetWay) {
    auto r = run_sde("sde-layout", {{"TIMEMORY_PAPI_EVENTS", both}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    json tree = load_json(r.dir / "out/latest/papi_vector.tree.json")["timemory"]["papi_vector"];
    // Hatchet reads a "type" list as one metric per value, and each statistic as an
    // object with one entry per value, in the same order.
    ASSERT_TRUE(tree["type"].is_array());
    EXPECT_EQ(tree["type"], json({"sde:::tmtest::ITEMS", "sde:::tmtest::BYTES"}));
    EXPECT_EQ(tree["description"], "Dynamically allocated array of PAPI HW counters");
    const char* layout = tree.contains("graph") ? "graph" : "mpi"; // mpi: threads ran
    json root = tree[layout][0][0];
    const json* main = child(root, "main");
    ASSERT_NE(main, nullptr);
    const json* outer = child(*main, "outer");
    ASSERT_NE(outer, nullptr);
    const json& stats = (*child(*outer, "inner"))["node"]["inclusive"]["stats"];
    ASSERT_EQ(stats["sum"].size(), 2u);
    // Key order in the file (nlohmann::json would sort them on reading).
    auto ordered = nlohmann::ordered_json::parse(slurp(r.dir / "out/latest/papi_vector.tree.json"));
    const auto& first_node = ordered["timemory"]["papi_vector"][layout][0][0]["children"][0];
    EXPECT_EQ(first_node["node"]["inclusive"]["stats"]["sum"].begin().key(), "sde:::tmtest::ITEMS");
    EXPECT_EQ(first_node["node"]["exclusive"]["stats"]["max"].begin().key(), "sde:::tmtest::ITEMS");
    EXPECT_EQ((*child(*outer, "inner"))["node"]["inclusive"]["entry"]["value"], json({15, 300}));
    // The text table has one row per node and event, the event in the METRIC column.
    std::string txt = slurp(r.dir / "out/latest/papi_vector.txt");
    EXPECT_NE(txt.find("DYNAMICALLY ALLOCATED ARRAY OF PAPI HW COUNTERS"), std::string::npos);
    std::regex row_items(R"(\|_inner\s+\|\s+3\s+\|\s+2\s+\|\s+sde:::tmtest::ITEMS\s+\|\s+\|\s+15)");
    std::regex row_bytes(
        R"(\|_inner\s+\|\s+3\s+\|\s+2\s+\|\s+sde:::tmtest::BYTES\s+\|\s+\|\s+300)");
    EXPECT_TRUE(std::regex_search(txt, row_items)) << txt;
    EXPECT_TRUE(std::regex_search(txt, row_bytes)) << txt;
    json meta = load_json(r.dir / "out/latest/metadata.json");
    EXPECT_EQ(meta["timemory"]["settings"]["TIMEMORY_PAPI_EVENTS"], both);
}

TEST(PapiSde, PapiArrayKeepsTheFirstEightEvents) {
    std::string events = both;
    for (int i = 0; i < 8; ++i)
        events += ",sde:::tmtest::UNUSED" + std::to_string(i);
    auto r = run_sde("sde-array",
                     {{"TIMEMORY_PAPI_EVENTS", events}, {"TIMEMORY_COMPONENTS", "papi_array"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_NE(r.err.find("papi_array holds 8 events"), std::string::npos) << r.err;
    json tree = load_json(r.dir / "out/latest/papi_array.tree.json")["timemory"]["papi_array"];
    EXPECT_EQ(tree["type"].size(), 8u);
    json recs = records(r.dir / "out/latest/papi_array.json", "papi_array");
    EXPECT_EQ(value(record(recs, "inner"), "sde:::tmtest::ITEMS"), 15);
    EXPECT_EQ(value(record(recs, "inner"), "sde:::tmtest::UNUSED0"), 0);
}

TEST(PapiSde, UnknownEventIsNamedWithPapisErrorAndTheRestCount) {
    auto r =
        run_sde("sde-unknown", {{"TIMEMORY_PAPI_EVENTS", "NOT_A_PAPI_EVENT,sde:::tmtest::ITEMS"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_NE(r.err.find("PAPI event 'NOT_A_PAPI_EVENT' is not known here"), std::string::npos)
        << r.err;
    json recs = records(r.dir / "out/latest/papi_vector.json", "papi_vector");
    EXPECT_EQ(value(record(recs, "inner"), "sde:::tmtest::ITEMS"), 15);
    EXPECT_EQ(load_json(r.dir / "out/latest/papi_vector.tree.json")["timemory"]["papi_vector"]["type"],
              json({"sde:::tmtest::ITEMS"}));
}

TEST(PapiSde, FailOnErrorCountsNothingAndSaysWhy) {
    auto r = run_sde("sde-fail", {{"TIMEMORY_PAPI_EVENTS", "NOT_A_PAPI_EVENT,sde:::tmtest::ITEMS"},
                                  {"TIMEMORY_PAPI_FAIL_ON_ERROR", "ON"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_NE(r.err.find("TIMEMORY_PAPI_FAIL_ON_ERROR: not counting any PAPI event"),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(r.dir / "out/latest/papi_vector.json"));
    EXPECT_TRUE(fs::exists(r.dir / "out/latest/wall.json")); // the run goes on
}

TEST(PapiSde, QuietSilencesPapiMessages) {
    auto r = run_sde("sde-quiet", {{"TIMEMORY_PAPI_EVENTS", "NOT_A_PAPI_EVENT,sde:::tmtest::ITEMS"},
                                   {"TIMEMORY_PAPI_QUIET", "ON"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_EQ(r.err.find("PAPI"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::exists(r.dir / "out/latest/papi_vector.json"));
}

TEST(PapiSde, MultiplexingSettingKeepsCountsExact) {
    auto r =
        run_sde("sde-mpx", {{"TIMEMORY_PAPI_EVENTS", both}, {"TIMEMORY_PAPI_MULTIPLEXING", "ON"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    json recs = records(r.dir / "out/latest/papi_vector.json", "papi_vector");
    EXPECT_EQ(value(record(recs, "main"), "sde:::tmtest::ITEMS"), 33);
}

TEST(PapiSde, EmptyEventListSaysHowToChooseAndRuns) {
    auto r = run_sde("sde-empty", {});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_NE(r.err.find("TIMEMORY_PAPI_EVENTS is empty"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::exists(r.dir / "out/latest/wall.json"));
}

TEST(PapiHardware, MissingCountersGiveOneMessageWithTheCause) {
    std::string why;
    if (hardware_cycles(&why)) GTEST_SKIP() << "this machine has hardware counters";
    auto r = run_sde("hw-missing",
                     {{"TIMEMORY_PAPI_EVENTS", "PAPI_TOT_CYC,PAPI_TOT_INS,sde:::tmtest::ITEMS"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    const std::string head = "hardware counters are not available here";
    size_t at = r.err.find(head);
    ASSERT_NE(at, std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(head, at + 1), std::string::npos) << "said twice:\n" << r.err;
    EXPECT_NE(r.err.find("perf_event_paranoid is " + paranoid()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("PAPI_TOT_CYC, PAPI_TOT_INS"), std::string::npos) << r.err;
    // The software counter and the other components still run.
    json recs = records(r.dir / "out/latest/papi_vector.json", "papi_vector");
    EXPECT_EQ(value(record(recs, "main"), "sde:::tmtest::ITEMS"), 33);
    EXPECT_TRUE(fs::exists(r.dir / "out/latest/wall.json"));
}

TEST(PapiHardware, CyclesAreCountedPerNode) {
    std::string why;
    if (!hardware_cycles(&why)) GTEST_SKIP() << why;
    auto r = run_sde("hw-cycles", {{"TIMEMORY_PAPI_EVENTS", "PAPI_TOT_CYC"}});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    json recs = records(r.dir / "out/latest/papi_vector.json", "papi_vector");
    double main = value(record(recs, "main"), "PAPI_TOT_CYC");
    double outer = value(record(recs, "outer"), "PAPI_TOT_CYC");
    EXPECT_GT(outer, 0);
    EXPECT_GE(main, outer);
}

TEST(PapiAvail, HwCountersListsPresetsAndComponents) {
    auto r = run("avail-hw", {TIMEMORY_AVAIL, "--hw-counters"}, {});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_NE(r.out.find("PAPI_TOT_CYC"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("perf_event"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("perf_event_paranoid = " + paranoid()), std::string::npos) << r.out;
}
