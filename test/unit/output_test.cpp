#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "../common/trace_check.hpp"
#include "base/clock.hpp"
#include "components/component.hpp"
#include "graph/grouped_input.hpp"
#include "graph/snapshot.hpp"
#include "output/file_io.hpp"
#include "output/formats.hpp"
#include "output/report_writer.hpp"
#include "output/short_name.hpp"

using namespace timemory::rt;

namespace {
// Each report as the writers stream it, parsed back.
// (A result is read by the writers as MPI ranks are: result_input.)
json_t flat_json(const timemory::result& r, const report_unit& u, int indent = 0) {
    const result_input in(r);
    const report_input* one[] = {&in};
    return json_t::parse(json_string([&](json_writer& w) { write_flat_json(w, one, u); }, indent));
}
std::string tree_json_text(const timemory::result& r, const report_unit& u) {
    const result_input in(r);
    const report_input* one[] = {&in};
    return json_string([&](json_writer& w) { write_tree_json(w, one, u); });
}
std::string folded_text(const timemory::result& r, const report_unit& u) {
    return text_of([&](std::FILE* f) { write_folded(f, result_input(r), u); });
}
json_t flamegraph_json(const timemory::result& r, const report_unit& u, bool timeline) {
    return json_t::parse(json_string(
        [&](json_writer& w) { write_flamegraph_json(w, result_input(r), u, timeline); }));
}
// main (2 calls: 3 + 5) > child (4 calls of 1) ; other (1 call of 10). Values in ns.
struct Output : ::testing::Test {
    timemory_site s_main{1, TIMEMORY_LANG_CXX, "main", "main", "a.cpp", 3, TIMEMORY_SITE_ABI};
    timemory_site s_child{2, TIMEMORY_LANG_C, "child", "_Z5childv", "b.c", 7, TIMEMORY_SITE_ABI};
    timemory_site s_other{3, TIMEMORY_LANG_REGION, "other", "other", "", 0, TIMEMORY_SITE_ABI};
    std::vector<const timemory_site*> sites{nullptr, &s_main, &s_child, &s_other};
    bundle b;
    timemory::result res;
    void SetUp() override {
        g_wall.ns_per_tick = 1.0;
        settings::current() = settings::defaults();
        settings::current().timing_units = "ns";
        b.select({find_component("wall_clock")});
        call_graph g(1);
        uint32_t m = g.child(0, 1, 0), c = g.child(m, 2, 0), o = g.child(0, 3, 0);
        g.at(m).count = 2;
        g.stats(m)[0].add(3);
        g.stats(m)[0].add(5);
        g.at(c).count = 4;
        for (int i = 0; i < 4; ++i)
            g.stats(c)[0].add(1);
        g.at(o).count = 1;
        g.stats(o)[0].add(10);
        res = make_result(g, {0, 0, 0, 0}, sites, b, getpid());
    }
};
} // namespace

TEST_F(Output, ResultIsPreOrderWithInclusiveAndExclusiveStats) {
    ASSERT_EQ(res.nodes.size(), 3u);
    EXPECT_EQ(res.nodes[0].name, "main");
    EXPECT_EQ(res.nodes[1].name, "child");
    EXPECT_EQ(res.nodes[1].parent, 0);
    EXPECT_EQ(res.nodes[2].name, "other");
    const timemory::stats& in = res.nodes[0].inclusive[0];
    EXPECT_DOUBLE_EQ(in.sum, 8);
    EXPECT_DOUBLE_EQ(in.mean, 4);
    EXPECT_DOUBLE_EQ(in.min, 3);
    EXPECT_DOUBLE_EQ(in.max, 5);
    EXPECT_DOUBLE_EQ(in.stddev, 1);
    EXPECT_DOUBLE_EQ(res.nodes[0].exclusive[0].sum, 4);
    EXPECT_DOUBLE_EQ(res.nodes[0].exclusive[0].mean, 2);
    EXPECT_TRUE(std::isnan(res.nodes[0].exclusive[0].min));
    EXPECT_EQ(res.nodes[1].language, TIMEMORY_LANG_C);
    EXPECT_EQ(res.nodes[1].linkage, "_Z5childv");
    EXPECT_NE(res.nodes[0].rolling_hash, res.nodes[1].rolling_hash);
    EXPECT_EQ(res.components[0].units, "nsec");
}

TEST_F(Output, TextTableRowsAndSelfPercent) {
    std::string t = text_table(result_input(res), 0, settings::current());
    EXPECT_TRUE(std::regex_search(
        t,
        std::regex(
            R"(\| \|0>>> main +\| +2 \| +0 \| wall +\| nsec +\| +8\.000 \| +4\.000 \| +3\.000 \| +5\.000 \| +1\.000 \| +50\.0 \|)")))
        << t;
    EXPECT_TRUE(std::regex_search(t, std::regex(R"(\| \|0>>> \|_child +\| +4 \| +1 \|)"))) << t;
    settings::current().precision = 1;
    settings::current().scientific = true;
    EXPECT_NE(text_table(result_input(res), 0, settings::current()).find("8.0e+00"),
              std::string::npos);
}

// Column widths come from each column's extreme values, not from formatting every row
// twice: a column is as wide as its widest cell (negative, -0, infinite, NaN included),
// and no wider unless its header or TIMEMORY_WIDTH asks.
TEST_F(Output, TextTableColumnsFitTheirWidestCellExactly) {
    // Widest in SUM: a large value; MEAN: a negative one; MIN: -inf at precision 0;
    // MAX: -0 (wider than 0); STDDEV: NaN is an empty cell.
    const double inf = std::numeric_limits<double>::infinity();
    timemory::result r = res;
    r.nodes[0].inclusive[0] = {123456.5, -98765.25, -inf, -0.0, std::nan("")};
    r.nodes[1].inclusive[0] = {-0.0, 1e-9, 2.0, 0.0, 0.0};
    r.nodes[2].inclusive[0] = {10.0, -1234567.0, 1.0, 1.0, 0.0};
    for (auto [scientific, precision] : {std::pair{false, 3}, {true, 3}, {false, 0}}) {
        SCOPED_TRACE(std::to_string(scientific) + " " + std::to_string(precision));
        settings::values v = settings::current();
        v.scientific = scientific;
        v.precision = precision;
        v.width = 0;
        const std::string t = text_table(result_input(r), 0, v);
        std::vector<std::string> rows;
        std::istringstream in(t);
        for (std::string line; std::getline(in, line);)
            if (line.rfind("| ", 0) == 0 && line.find(" | ") != std::string::npos)
                rows.push_back(line);
        ASSERT_GE(rows.size(), 5u) << t; // header, dashes, three nodes
        std::vector<std::vector<std::string>> cells;
        for (const std::string& row : rows) {
            EXPECT_EQ(row.size(), rows[0].size()) << t;
            // "| label | cell | ... | cell |": cells between " | " (a label's "|_" is not).
            std::vector<std::string> c;
            const std::string body = row.substr(2, row.size() - 4);
            for (size_t at = 0, next;; at = next + 3) {
                next = body.find(" | ", at);
                c.push_back(body.substr(at, next == std::string::npos ? next : next - at));
                if (next == std::string::npos) break;
            }
            cells.push_back(c);
        }
        // Every column has a cell (or its header, or its dashes) that fills it exactly.
        for (size_t col = 1; col < cells[0].size(); ++col) {
            bool tight = false;
            for (size_t k = 2; k < cells.size(); ++k)
                tight = tight || (cells[k][col].front() != ' ' && cells[k][col].back() != ' ');
            tight = tight || cells[0][col].back() != ' ';
            EXPECT_TRUE(tight) << "column " << col << " is wider than any cell\n" << t;
        }
        EXPECT_NE(t.find(scientific  ? "-1.235e+06"
                         : precision ? "-1234567.000"
                                     : "-1234567"),
                  std::string::npos)
            << t;
        EXPECT_NE(t.find("-inf"), std::string::npos) << t;
        EXPECT_NE(t.find("-0"), std::string::npos) << t;
    }
}

TEST_F(Output, FlatJsonParsesBack) {
    auto j = nlohmann::json::parse(flat_json(res, 0).dump());
    auto body = j["timemory"]["wall_clock"];
    EXPECT_EQ(body["type"], "wall");
    EXPECT_EQ(body["unit_repr"], "nsec");
    auto g = body["ranks"][0]["graph"];
    ASSERT_EQ(g.size(), 3u);
    EXPECT_EQ(g[1]["prefix"], "child");
    EXPECT_EQ(g[1]["file"], "b.c");
    EXPECT_EQ(g[1]["line"], 7);
    EXPECT_EQ(g[1]["language"], "c");
    EXPECT_EQ(g[0]["parent"], -1);
    EXPECT_EQ(g[1]["parent"], 0) << "the parent's index in the records";
    EXPECT_FALSE(g[1].contains("hierarchy")) << "no per-node path: size linear in nodes";
    EXPECT_EQ(g[1]["inclusive"]["entry"]["laps"], 4);
    EXPECT_TRUE(g[0]["exclusive"]["stats"]["stddev"].is_null());
}

TEST_F(Output, TreeJsonHasHatchetShape) {
    auto j = json_t::parse(tree_json_text(res, 0));
    auto body = j["timemory"]["wall_clock"];
    for (const char* k : {"type", "description", "unit_value", "unit_repr", "graph"})
        EXPECT_TRUE(body.contains(k)) << k;
    auto root = body["graph"][0][0];
    EXPECT_EQ(root["node"]["hash"], 0);
    ASSERT_EQ(root["children"].size(), 2u);
    auto main = root["children"][0];
    EXPECT_EQ(main["node"]["name"], "main");
    for (const char* k : {"hash", "prefix", "tid", "pid", "depth", "inclusive", "exclusive"})
        EXPECT_TRUE(main["node"].contains(k)) << k;
    for (const char* k : {"sum", "mean", "min", "max", "stddev"})
        EXPECT_TRUE(main["node"]["inclusive"]["stats"].contains(k)) << k;
    EXPECT_EQ(main["children"][0]["node"]["name"], "child");
    EXPECT_EQ(main["children"][0]["node"]["inclusive"]["entry"]["laps"], 4);
    // The prefix in the one form Hatchet's reader takes whole: "<name> [<lang>/<file>:<line>]".
    EXPECT_EQ(main["node"]["prefix"], "main [c++/a.cpp:3]");
    EXPECT_EQ(main["children"][0]["node"]["prefix"], "child [c/b.c:7]");
    EXPECT_EQ(root["children"][1]["node"]["prefix"], "other [region/<unknown>:0]");
}

TEST_F(Output, FlamegraphLeavesOutWhatIsShorterThanItsQuantum) {
    // 8, 4 and 10 ns: under 1/8 µs each, so no event of zero length is written; the file
    // says how many were left out.
    auto trace = flamegraph_json(res, 0, false);
    EXPECT_EQ(trace_check::problems(trace), "");
    EXPECT_EQ(trace_check::complete_events(trace).size(), 0u);
    EXPECT_EQ(trace["otherData"]["nodes_shorter_than_quantum_left_out"], 3);
    EXPECT_EQ(trace["otherData"]["time_quantum_ns"], 125);
}

namespace {
// A graph built node by node for the trace tests: values in µs.
struct graph_builder {
    timemory::result r;
    graph_builder() {
        r.components.push_back({"wall_clock", "wall", "", "time", "usec", 1000.0, ""});
    }
    size_t add(const char* name, int64_t parent, int64_t tid, double usec, double start_ns = 0,
               uint32_t threads = 1) {
        timemory::result_node n;
        n.name = name;
        n.parent = parent;
        n.depth = parent < 0 ? 0 : r.nodes[size_t(parent)].depth + 1;
        n.tid = tid;
        n.threads = threads;
        n.pid = 42;
        n.count = 1;
        n.start_ns = start_ns;
        n.inclusive.push_back({usec, usec, usec, usec, 0});
        n.exclusive = n.inclusive;
        if (parent >= 0) {
            r.nodes[size_t(parent)].children.push_back(r.nodes.size());
            r.nodes[size_t(parent)].exclusive[0].sum -= usec;
        }
        r.nodes.push_back(n);
        return r.nodes.size() - 1;
    }
};

std::map<int64_t, std::string> thread_names(const json_t& trace) {
    std::map<int64_t, std::string> out;
    for (const auto& e : trace["traceEvents"])
        if (e["ph"] == "M" && e["name"] == "thread_name") out[e["tid"]] = e["args"]["name"];
    return out;
}
} // namespace

// A pool: `spawn` (10 µs) starts a worker (2 000 µs, on thread 1), and main later hands
// thread 1 more work (500 µs). Each thread has its own track; the spawning node never
// encloses its longer child; the second piece of work follows the first on its track.
TEST(Flamegraph, OtherThreadsWorkGoesOnItsOwnTrack) {
    graph_builder g;
    g.add("main", -1, 0, 3000, 0);
    g.add("spawn", 0, 0, 10, 100);
    g.add("worker", 1, 1, 2000.4, 100);
    g.add("inner", 2, 1, 300, 150);
    g.add("more_work", 0, 1, 500, 200);
    const timemory::result& r = g.r;
    auto trace = flamegraph_json(r, 0, false);
    EXPECT_EQ(trace_check::problems(trace), "") << trace.dump(1);
    auto ev = trace_check::complete_events(trace);
    ASSERT_EQ(ev.size(), 5u);
    EXPECT_EQ(ev[1]["tid"], 0);
    EXPECT_EQ(ev[1]["dur"], 10);
    EXPECT_EQ(ev[2]["tid"], 1);
    EXPECT_EQ(ev[2]["ts"], ev[1]["ts"]) << "the worker starts where it was started from";
    EXPECT_EQ(ev[2]["dur"], 2000.375) << "2000.4 µs floored to eighths of a µs";
    EXPECT_EQ(ev[4]["tid"], 1);
    EXPECT_GE(ev[4]["ts"].get<double>(), ev[2]["ts"].get<double>() + 2000.375) << "after it";
    // Folded stacks of the same graph: one line per path with exclusive µs (the leaves'
    // whole time).
    std::string folded = folded_text(r, 0);
    EXPECT_NE(folded.find("main;spawn;worker;inner 300\n"), std::string::npos) << folded;
    EXPECT_NE(folded.find("main;more_work 500\n"), std::string::npos) << folded;
    int names = 0;
    for (const auto& e : trace["traceEvents"])
        if (e["ph"] == "M") {
            ++names;
            if (e["name"] == "thread_name" && e["tid"] == 1)
                EXPECT_EQ(e["args"]["name"], "thread 1");
        }
    EXPECT_EQ(names, 3) << "one process name, two thread names";
}

// Four pool workers merged into one node (threads collapsed): 4 × 300 µs of work in a
// program of 400 µs. Their track shows the mean per thread, says so, and stays inside
// the program; a child run by 2 of the 4 threads is its share of that mean.
TEST(Flamegraph, MergedThreadsAreDrawnAsTheMeanPerThread) {
    graph_builder g;
    g.add("main", -1, 0, 400, 0);
    g.add("submit", 0, 0, 5, 10);
    g.add("worker", 1, 1, 1200, 20, 4);
    g.add("task", 2, 1, 200, 30, 2);
    auto trace = flamegraph_json(g.r, 0, false);
    EXPECT_EQ(trace_check::problems(trace), "") << trace.dump(1);
    auto ev = trace_check::complete_events(trace);
    ASSERT_EQ(ev.size(), 4u);
    EXPECT_EQ(ev[2]["dur"], 300) << "1 200 µs of 4 threads";
    EXPECT_EQ(ev[3]["dur"], 50) << "200 µs of 2 of those 4 threads, per thread of the 4";
    EXPECT_EQ(thread_names(trace)[1], "thread 1 (4 threads merged: mean per thread)");
    EXPECT_EQ(thread_names(trace)[0], "main thread");
    // Before: the track held the sum, 1 200 µs, three times longer than the program.
    EXPECT_LE(ev[2]["ts"].get<double>() + ev[2]["dur"].get<double>(),
              ev[0]["ts"].get<double>() + ev[0]["dur"].get<double>());
}

// Timeline mode with compensation: values lose the hooks' cost, start times do not, so
// real starts can put children past their parent's end. Each child is moved as little as
// needed to lie inside its parent, in order, with room left for its later siblings.
TEST(Flamegraph, TimelineChildrenLieInsideTheirParents) {
    graph_builder g;
    g.add("main", -1, 0, 100, 0);
    g.add("parent", 0, 0, 10, 50'000); // [50, 60) µs
    g.add("a", 1, 0, 4, 55'000);       // real start 55: would end at 59
    g.add("b", 1, 0, 4, 58'000);       // real start 58: would end at 62
    g.add("c", 1, 0, 1, 61'000);       // real start 61: past the parent's end
    g.add("later", 0, 0, 20, 70'000);
    auto trace = flamegraph_json(g.r, 0, true);
    EXPECT_EQ(trace_check::problems(trace), "") << trace.dump(1);
    auto ev = trace_check::complete_events(trace);
    ASSERT_EQ(ev.size(), 6u);
    auto span = [&](size_t i) {
        const double ts = ev[i]["ts"];
        return std::make_pair(ts, ts + ev[i]["dur"].get<double>());
    };
    EXPECT_EQ(span(1), std::make_pair(50.0, 60.0));
    EXPECT_EQ(span(2), std::make_pair(51.0, 55.0)) << "moved back to leave room for b and c";
    EXPECT_EQ(span(3), std::make_pair(55.0, 59.0));
    EXPECT_EQ(span(4), std::make_pair(59.0, 60.0));
    EXPECT_EQ(span(5), std::make_pair(70.0, 90.0)) << "at its real start";
    for (size_t i = 2; i <= 4; ++i)
        EXPECT_EQ(ev[i]["dur"], 4 - 3 * (i == 4)) << "widths are kept";
}

// An MPI job's per-rank trace: one process per rank, named by rank, each laid out alone;
// a function that only rank 1 ran is under its parent on rank 1's track.
TEST(Flamegraph, EachRankIsAProcessOfItsOwn) {
    graph_builder r0, r1;
    r0.add("main", -1, 0, 100, 0);
    r0.add("compute", 0, 0, 60, 1000);
    r1.add("main", -1, 0, 120, 0);
    r1.add("compute", 0, 0, 50, 1000);
    r1.add("only_on_rank_1", 1, 0, 30, 2000);
    for (auto* g : {&r0, &r1})
        for (auto& n : g->r.nodes)
            n.pid = g == &r0 ? 1000 : 2000;
    const result_input a(r0.r), b(r1.r);
    const report_input* both[] = {&a, &b};
    auto trace = json_t::parse(
        json_string([&](json_writer& w) { write_flamegraph_json(w, both, 0, false); }));
    EXPECT_EQ(trace_check::problems(trace), "") << trace.dump(1);
    std::map<int64_t, std::string> processes;
    for (const auto& e : trace["traceEvents"])
        if (e["ph"] == "M" && e["name"] == "process_name") processes[e["pid"]] = e["args"]["name"];
    ASSERT_EQ(processes.size(), 2u);
    EXPECT_NE(processes[0].find("(rank 0, pid 1000)"), std::string::npos) << processes[0];
    EXPECT_NE(processes[1].find("(rank 1, pid 2000)"), std::string::npos) << processes[1];
    auto ev = trace_check::complete_events(trace);
    ASSERT_EQ(ev.size(), 5u);
    EXPECT_EQ(ev[4]["name"], "only_on_rank_1");
    EXPECT_EQ(ev[4]["pid"], 1);
    EXPECT_EQ(ev[4]["ts"], ev[3]["ts"]) << "inside compute, at its start";
    // Folded stacks of both: each stack under its rank.
    const std::string folded = text_of(
        [&](std::FILE* f) { write_folded(f, std::span<const report_input* const>(both), 0); });
    EXPECT_NE(folded.find("rank 0;main 40\n"), std::string::npos) << folded;
    EXPECT_NE(folded.find("rank 1;main;compute;only_on_rank_1 30\n"), std::string::npos) << folded;
}

// A 2 000-deep chain of 200-character names: each line holds its stack, cut at 64 KiB of
// text (or 1 000 frames), so the file grows with the lines, not with depth squared.
TEST(Folded, DeepChainsOfLongNamesAreCutByLength) {
    graph_builder g;
    std::vector<std::string> names;
    for (int d = 0; d < 2000; ++d)
        names.push_back(std::string(196, 'a' + d % 26) + std::to_string(1000 + d));
    for (int d = 0; d < 2000; ++d)
        g.add(names[size_t(d)].c_str(), d - 1, 0, 2000 - d, 0);
    for (auto& n : g.r.nodes)
        n.exclusive[0].sum = 1; // 1 µs of its own each
    const std::string folded =
        text_of([&](std::FILE* f) { write_folded(f, result_input(g.r), 0); });
    size_t lines = 0, longest = 0;
    std::istringstream in(folded);
    std::string last;
    for (std::string line; std::getline(in, line); ++lines) {
        longest = std::max(longest, line.size());
        last = line;
    }
    const size_t kept = 64 * 1024 / 201; // frames of 200 characters and a ';' in 64 KiB
    EXPECT_EQ(lines, kept + 1) << "one line per frame kept, one for everything below";
    EXPECT_LE(longest, 64u * 1024 + 64);
    EXPECT_LE(folded.size(), 64u * 1024 * (kept + 1)) << "before: 400 MB";
    EXPECT_EQ(last.substr(last.size() - 14), ";[deeper] " + std::to_string(2000 - kept));
}

// Over the node budget, the smallest call paths are grouped under each parent into one
// "[other]" node, the parent's last child, with their summed values (whole subtrees):
// the totals stay exact and the tree stays a tree in pre-order.
TEST(GroupedInput, SmallestPathsAreGroupedUnderTheirParents) {
    graph_builder g;
    const size_t main = g.add("main", -1, 0, 100);
    const size_t a = g.add("a", int64_t(main), 0, 50);
    g.add("a1", int64_t(a), 0, 30);
    g.add("a2", int64_t(a), 0, 1);
    g.add("b", int64_t(main), 0, 2);
    const size_t c = g.add("c", int64_t(main), 0, 1);
    g.add("c1", int64_t(c), 0, 1);
    g.add("d", int64_t(main), 0, 40);
    for (size_t i = 0; i < g.r.nodes.size(); ++i) {
        g.r.nodes[i].count = 2;
        g.r.nodes[i].rolling_hash = 1000 + i;
    }
    const result_input in(g.r);
    const grouped_input out(in, 5);
    ASSERT_EQ(out.size(), 5u);
    std::vector<std::string> names;
    for (size_t i = 0; i < out.size(); ++i)
        names.emplace_back(out.node(i).name);
    EXPECT_EQ(names, (std::vector<std::string>{"main", "a", "[other]", "d", "[other]"}));
    EXPECT_EQ(out.left_out(), 5u) << "a1, a2, b, c, c1";
    EXPECT_EQ(out.groups(), 2u);
    EXPECT_EQ(out.threshold(), 40.0);
    const node_view under_a = out.node(2), under_main = out.node(4);
    EXPECT_EQ(under_a.parent, 1);
    EXPECT_EQ(under_main.parent, 0);
    EXPECT_EQ(under_a.depth, 2);
    EXPECT_DOUBLE_EQ(under_a.inclusive[0].sum, 31.0);
    EXPECT_DOUBLE_EQ(under_a.exclusive[0].sum, 31.0) << "nothing below it is shown";
    EXPECT_DOUBLE_EQ(under_main.inclusive[0].sum, 3.0) << "b, and c with its child";
    EXPECT_EQ(under_main.count, 4u) << "b and c, twice each";
    EXPECT_DOUBLE_EQ(under_main.inclusive[0].min, 1.0);
    EXPECT_DOUBLE_EQ(under_main.inclusive[0].max, 2.0);
    // Every parent's children in the output add up as before.
    const node_view m = out.node(0);
    ASSERT_EQ(m.children.size(), 3u);
    double kids = 0;
    for (size_t k : m.children)
        kids += out.node(k).inclusive[0].sum;
    EXPECT_DOUBLE_EQ(m.exclusive[0].sum + kids, m.inclusive[0].sum);
    EXPECT_NE(under_a.rolling_hash, under_main.rolling_hash) << "distinct call paths";
    // Every format reads it (a trace of it is valid too).
    auto trace = json_t::parse(
        json_string([&](json_writer& w) { write_flamegraph_json(w, out, 0, false); }));
    EXPECT_EQ(trace_check::problems(trace), "") << trace.dump(1);
    EXPECT_EQ(trace_check::complete_events(trace).size(), 5u);
    // Within the budget, nothing changes.
    EXPECT_FALSE(over_node_budget(in, 8));
    EXPECT_TRUE(over_node_budget(in, 7));
    EXPECT_FALSE(over_node_budget(in, 0)) << "0: no budget";
}

TEST(FileIo, AtomicWriteReplacesAndLeavesNoTemporary) {
    std::string dir = ::testing::TempDir() + "/file_io_test/a/b";
    std::string err;
    ASSERT_TRUE(make_dirs(dir, &err)) << err;
    ASSERT_TRUE(write_atomic(dir + "/x.txt", "one", &err));
    ASSERT_TRUE(write_atomic(dir + "/x.txt", "two", &err));
    std::ifstream in(dir + "/x.txt");
    std::string s;
    in >> s;
    EXPECT_EQ(s, "two");
    EXPECT_NE(access((dir + "/x.txt.tmp." + std::to_string(getpid())).c_str(), F_OK), 0);
}

TEST(FileIo, FailuresNameThePath) {
    std::string err;
    EXPECT_FALSE(make_dirs("/proc/forbidden/dir", &err));
    EXPECT_NE(err.find("/proc/forbidden"), std::string::npos) << err;
    EXPECT_FALSE(write_atomic("/proc/forbidden.txt", "x", &err));
    EXPECT_NE(err.find("/proc/forbidden.txt"), std::string::npos) << err;
}

// A staged file that is never committed leaves nothing behind; one whose writes fail
// (RLIMIT_FSIZE: "File too large") names the file and the first error, not a later one.
TEST(FileIo, StagedFileIsAllOrNothing) {
    std::string dir = ::testing::TempDir() + "/staged_file_test";
    std::string err;
    ASSERT_TRUE(make_dirs(dir, &err)) << err;
    const std::string path = dir + "/report.json";
    std::remove(path.c_str());
    {
        staged_file f(path);
        ASSERT_NE(f.get(), nullptr);
        std::fputs("abandoned", f.get());
    }
    EXPECT_NE(access(path.c_str(), F_OK), 0) << "no commit: no file";
    EXPECT_NE(access((path + ".tmp." + std::to_string(getpid())).c_str(), F_OK), 0);

    pid_t child = fork();
    if (child == 0) {
        signal(SIGXFSZ, SIG_IGN);
        rlimit small{4096, 4096};
        setrlimit(RLIMIT_FSIZE, &small);
        staged_file f(path);
        std::string big(1 << 20, 'x');
        std::fwrite(big.data(), 1, big.size(), f.get());
        std::string why;
        const bool ok = f.commit(&why);
        const bool named = why == "cannot write '" + path + "': File too large";
        _exit(!ok && named && access(path.c_str(), F_OK) != 0 ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// The streaming writer: bytes that are not UTF-8 become U+FFFD, NaN and infinities null,
// control bytes are escaped; compact by default, indented on request; parses back.
TEST(JsonWriter, WritesValidJsonFromAnyInput) {
    const std::string bad = std::string("f\xff\xc3(") + '\x01' + "\"q\"";
    auto text = json_string([&](json_writer& w) {
        w.begin_object();
        w.member("name", bad);
        w.member(std::string_view(bad), 1);
        w.member("nan", std::nan(""));
        w.member("inf", HUGE_VAL);
        w.member("big", uint64_t(18446744073709551615ull));
        w.member("neg", int64_t(-3));
        w.member("half", 0.5);
        w.key("list");
        w.begin_array();
        w.value(true);
        w.null();
        w.end_array();
        w.end_object();
    });
    EXPECT_EQ(text.find('\n'), std::string::npos) << "compact: one line";
    auto j = json_t::parse(text); // throws on invalid UTF-8
    const std::string fffd = "\xEF\xBF\xBD";
    EXPECT_EQ(j["name"], "f" + fffd + fffd + "(\x01\"q\"");
    EXPECT_EQ(j["f" + fffd + fffd + "(\x01\"q\""], 1);
    EXPECT_TRUE(j["nan"].is_null());
    EXPECT_TRUE(j["inf"].is_null());
    EXPECT_EQ(j["big"].get<uint64_t>(), 18446744073709551615ull);
    EXPECT_EQ(j["neg"], -3);
    EXPECT_EQ(j["half"], 0.5);
    EXPECT_EQ(j["list"], json_t::parse("[true,null]"));
    EXPECT_NE(text.find("\\u0001"), std::string::npos) << text;

    auto indented = json_string(
        [](json_writer& w) {
            w.begin_object();
            w.member("a", 1);
            w.end_object();
        },
        2);
    EXPECT_EQ(indented, "{\n  \"a\": 1\n}");
}

// Reports are streamed: the text table written to a FILE* and returned as a string agree,
// and a flat report with indentation parses to the same document as the compact one.
TEST_F(Output, StreamedReportsMatchTheirStringForms) {
    std::string streamed;
    {
        memory_file f(streamed);
        write_text_table(f.get(), result_input(res), 0, settings::current());
    }
    EXPECT_EQ(streamed, text_table(result_input(res), 0, settings::current()));
    EXPECT_EQ(flat_json(res, 0), flat_json(res, 0, 3));
}

TEST_F(Output, EncodeDecodeRoundTripsAndRejectsBadBuffers) {
    std::string bytes = timemory::encode(res);
    timemory::result back = timemory::decode(bytes);
    ASSERT_EQ(back.nodes.size(), res.nodes.size());
    EXPECT_EQ(back.components[0].id, "wall_clock");
    EXPECT_EQ(back.nodes[1].name, "child");
    EXPECT_EQ(back.nodes[1].linkage, "_Z5childv");
    EXPECT_EQ(back.nodes[1].parent, 0);
    EXPECT_EQ(back.nodes[0].children, std::vector<size_t>{1});
    EXPECT_DOUBLE_EQ(back.nodes[0].inclusive[0].stddev, 1.0);
    EXPECT_TRUE(std::isnan(back.nodes[0].exclusive[0].min));
    EXPECT_THROW(timemory::decode(bytes.substr(0, bytes.size() - 3)), std::runtime_error);
    EXPECT_THROW(timemory::decode("garbage!"), std::runtime_error);
    // Fields that would mislead the writers: a depth that does not follow from the parent
    // (the text table indents by it), a node count larger than the buffer.
    timemory::result deep = res;
    deep.nodes[1].depth = 1 << 30;
    EXPECT_THROW(timemory::decode(timemory::encode(deep)), std::runtime_error);
    std::string many = bytes;
    const size_t at = many.find(std::string("\x03\0\0\0\0\0\0\0", 8)); // 3 nodes
    ASSERT_NE(at, std::string::npos);
    many[at + 7] = '\x7f';
    EXPECT_THROW(timemory::decode(many), std::runtime_error);
    // Every truncation of a valid buffer is refused cleanly.
    for (size_t n = 0; n < bytes.size(); ++n)
        EXPECT_THROW(timemory::decode(bytes.substr(0, n)), std::runtime_error) << n;
}

TEST_F(Output, CombiningRanksAddsCountsAndKeepsPerRankSpread) {
    timemory::result other = res;
    other.nodes.resize(2); // rank 1 has main > child, not "other"
    other.nodes[0].children = {1};
    other.nodes[0].inclusive[0].sum = 20; // main took 20 ns there
    auto all = timemory::combine_ranks({res, other});
    ASSERT_EQ(all.nodes.size(), 3u);
    EXPECT_EQ(all.nodes[0].name, "main");
    EXPECT_EQ(all.nodes[0].count, 4u);
    EXPECT_EQ(all.nodes[0].ranks, 2);
    EXPECT_DOUBLE_EQ(all.nodes[0].inclusive[0].sum, 28);
    EXPECT_DOUBLE_EQ(all.nodes[0].per_rank[0].min, 8);
    EXPECT_DOUBLE_EQ(all.nodes[0].per_rank[0].max, 20);
    EXPECT_DOUBLE_EQ(all.nodes[0].per_rank[0].mean, 14);
    EXPECT_EQ(all.nodes[1].name, "child");
    EXPECT_EQ(all.nodes[1].count, 8u);
    EXPECT_EQ(all.nodes[2].name, "other");
    EXPECT_EQ(all.nodes[2].ranks, 1);
    EXPECT_EQ(all.nodes[2].parent, -1);
}

// A result whose components 1 and 2 are the values of one group: reported as one unit.
TEST_F(Output, GroupValuesFormOneReportUnitAndSurviveEncoding) {
    timemory::result r = res;
    for (const char* ev : {"EV_A", "EV_B"}) {
        timemory::component_info c;
        c.id = c.group = "papi_vector";
        c.label = ev;
        c.kind = "count";
        r.components.push_back(c);
    }
    for (auto& n : r.nodes) {
        for (double v : {2.0, 7.0}) {
            timemory::stats s;
            s.sum = v * double(n.count);
            n.inclusive.push_back(s);
            n.exclusive.push_back(s);
        }
    }
    auto units = report_units(r.components);
    ASSERT_EQ(units.size(), 2u);
    EXPECT_EQ(units[0].first, 0u);
    EXPECT_EQ(units[0].count, 1u);
    EXPECT_EQ(units[1].first, 1u);
    EXPECT_EQ(units[1].count, 2u);
    EXPECT_EQ(units[1].stem(r.components), "papi_vector");
    // JSON: "type" lists the values; statistics are objects in that order.
    json_t j = flat_json(r, units[1]);
    const auto& body = j["timemory"]["papi_vector"];
    EXPECT_EQ(body["type"], json_t({"EV_A", "EV_B"}));
    const auto& sum = body["ranks"][0]["graph"][1]["inclusive"]["stats"]["sum"];
    EXPECT_EQ(sum.begin().key(), "EV_A");
    EXPECT_DOUBLE_EQ(sum["EV_B"].get<double>(), 7.0 * 4); // child: 4 calls
    // Text: one row per node and value, the value in METRIC.
    std::string t = text_table(result_input(r), units[1], settings::current());
    EXPECT_TRUE(std::regex_search(t, std::regex(R"(\|_child\s+\|\s+4\s+\|\s+1\s+\|\s+EV_B )")))
        << t;
    // The binary form keeps the group.
    timemory::result back = timemory::decode(timemory::encode(r));
    ASSERT_EQ(back.components.size(), 3u);
    EXPECT_EQ(back.components[2].group, "papi_vector");
    EXPECT_EQ(back.components[0].group, "");
    EXPECT_EQ(report_units(back.components).size(), 2u);
}

namespace {
// main: 2 calls of 1.5 s and 0.5 s > child: 4 calls of 250 us; `hot` under main: 10 timed
// calls of 2 us and 90 untimed ones (a throttled function). Values in ns.
timemory::result wide_range_result(const bundle& b) {
    static timemory_site s_main{1, TIMEMORY_LANG_CXX, "main", "main", "", 0, TIMEMORY_SITE_ABI};
    static timemory_site s_child{2, TIMEMORY_LANG_CXX, "child", "child", "", 0, TIMEMORY_SITE_ABI};
    static timemory_site s_hot{3, TIMEMORY_LANG_CXX, "hot", "hot", "", 0, TIMEMORY_SITE_ABI};
    call_graph g(1);
    uint32_t m = g.child(0, 1, 0), c = g.child(m, 2, 0), h = g.child(m, 3, 0);
    g.at(m).count = 2;
    g.stats(m)[0].add(1500000000);
    g.stats(m)[0].add(500000000);
    g.at(c).count = 4;
    for (int i = 0; i < 4; ++i)
        g.stats(c)[0].add(250000);
    g.at(h).count = 10;
    g.at(h).unmeasured = 90;
    for (int i = 0; i < 10; ++i)
        g.stats(h)[0].add(2000);
    return make_result(g, {}, {nullptr, &s_main, &s_child, &s_hot}, b, getpid());
}
} // namespace

TEST_F(Output, AutoUnitsGiveEachValueColumnAReadableUnitAndPrecision) {
    settings::current().timing_units = "auto";
    auto r = wide_range_result(b);
    EXPECT_EQ(r.components[0].units, "sec") << "data files use seconds";
    std::string t = text_table(result_input(r), 0, settings::current());
    // Units in the headers, no UNITS column.
    EXPECT_TRUE(std::regex_search(
        t,
        std::regex(
            R"(\| METRIC \| SUM \(sec\) +\| MEAN \(sec\) +\| MIN \(msec\) +\| MAX \(sec\) +\| STDDEV \(msec\) +\| % SELF \|)")))
        << t;
    // Decimals enough for the column's smallest value (hot's 0.2 ms) to show two
    // significant digits: 5 here, at most TIMEMORY_PRECISION + 3.
    EXPECT_TRUE(
        std::regex_search(t, std::regex(R"(\|_child +\| +4 \| +1 \| wall +\| +0\.00100 \|)")))
        << t;
    EXPECT_TRUE(std::regex_search(
        t, std::regex(
               R"(\|0>>> main +\| +2 \| +0 \| wall +\| +2\.00000 \| +1\.000000 \| +500\.0000 \|)")))
        << t;
    // The throttled function's row is marked, its estimate included, and the mark explained.
    EXPECT_TRUE(std::regex_search(
        t, std::regex(R"(\|_hot \[estimated\] +\| +100 \| +1 \| wall +\| +0\.00020 \|)")))
        << t;
    EXPECT_NE(t.find("[estimated]: a throttled function"), std::string::npos) << t;
    // An explicit unit keeps the reference layout.
    settings::current().timing_units = "ms";
    std::string classic = text_table(result_input(r), 0, settings::current());
    EXPECT_NE(classic.find("| UNITS |"), std::string::npos) << classic;
}

TEST(ShortName, NamesThatFitAreKept) {
    EXPECT_EQ(shorten_name("std::vector<int>::push_back(int const&)", 100),
              "std::vector<int>::push_back(int const&)");
    EXPECT_EQ(shorten_name(std::string(500, 'x'), 0), std::string(500, 'x')) << "0: no limit";
}

TEST(ShortName, TemplateArgumentsGoFirstInnermostFirst) {
    const std::string name =
        "void fmt::v10::detail::write<char, fmt::v10::appender, std::allocator<char> >"
        "(fmt::v10::appender, int)";
    // Innermost first: the allocator's argument, then the whole list.
    EXPECT_EQ(shorten_name(name, 101),
              "void fmt::v10::detail::write<char, fmt::v10::appender, std::allocator<...> >"
              "(fmt::v10::appender, int)");
    EXPECT_EQ(shorten_name(name, 80), "void fmt::v10::detail::write<...>(fmt::v10::appender, int)");
    // Then parameter lists.
    EXPECT_EQ(shorten_name(name, 45), "void fmt::v10::detail::write<...>(...)");
    // Then the middle.
    std::string cut = shorten_name(name, 24);
    EXPECT_EQ(cut.size(), 24u);
    EXPECT_EQ(cut.substr(0, 10), "void fmt::");
    EXPECT_EQ(cut.substr(cut.size() - 5), "(...)");
}

TEST(ShortName, OperatorsAreNotBrackets) {
    const std::string name = "bool operator<(std::pair<std::basic_string<char>, int> const&, "
                             "std::pair<std::basic_string<char>, int> const&)";
    EXPECT_EQ(shorten_name(name, 108),
              "bool operator<(std::pair<std::basic_string<...>, int> const&, "
              "std::pair<std::basic_string<...>, int> const&)");
    EXPECT_EQ(
        shorten_name("std::ostream& operator<<(std::ostream&, my::type<long, long> const&)", 62),
        "std::ostream& operator<<(std::ostream&, my::type<...> const&)");
    EXPECT_EQ(shorten_name("my_operator<std::map<int, int> >::get()", 35),
              "my_operator<std::map<...> >::get()");
}

TEST_F(Output, CompensationTakesTheHooksCostOutOfEveryLevel) {
    // main (1 call, 2000 ns) > child (4 timed calls of 100 ns, 6 untimed ones estimated).
    static timemory_site s_m{1, TIMEMORY_LANG_CXX, "main", "main", "", 0, TIMEMORY_SITE_ABI};
    static timemory_site s_c{2, TIMEMORY_LANG_CXX, "child", "child", "", 0, TIMEMORY_SITE_ABI};
    call_graph g(1);
    uint32_t m = g.child(0, 1, 0), c = g.child(m, 2, 0);
    g.at(m).count = 1;
    g.stats(m)[0].add(2000);
    g.at(c).count = 4;
    g.at(c).unmeasured = 6;
    for (int i = 0; i < 4; ++i)
        g.stats(c)[0].add(100);
    overhead_costs oh;
    oh.measured = true;
    oh.inside = {10};       // of each timed call's own value
    oh.timed_pair = {30};   // what a timed call costs its caller
    oh.untimed_pair = {20}; // what an untimed call costs its caller
    std::vector<const timemory_site*> s{nullptr, &s_m, &s_c};
    auto plain = make_result(g, {}, s, b, getpid());
    auto comp = make_result(g, {}, s, b, getpid(), &oh);
    // child: 10 calls of 100 (4 timed + 6 estimated), less 10 inside each call.
    EXPECT_DOUBLE_EQ(plain.nodes[1].inclusive[0].sum, 1000);
    EXPECT_DOUBLE_EQ(comp.nodes[1].inclusive[0].sum, 1000 - 10 * 10);
    EXPECT_DOUBLE_EQ(comp.nodes[1].inclusive[0].min, 90);
    // main: its own 10 inside, and every call below it (4 x 30 + 6 x 20).
    EXPECT_DOUBLE_EQ(comp.nodes[0].inclusive[0].sum, 2000 - 10 - (4 * 30 + 6 * 20));
    // One call: its min, max and sum agree after compensation.
    EXPECT_DOUBLE_EQ(comp.nodes[0].inclusive[0].min, comp.nodes[0].inclusive[0].sum);
    EXPECT_DOUBLE_EQ(comp.nodes[0].inclusive[0].max, comp.nodes[0].inclusive[0].sum);
    EXPECT_DOUBLE_EQ(comp.nodes[0].exclusive[0].sum,
                     comp.nodes[0].inclusive[0].sum - comp.nodes[1].inclusive[0].sum);
    EXPECT_GE(comp.nodes[0].exclusive[0].sum, 0);
    // The estimated share scales with the compensated total.
    ASSERT_EQ(comp.nodes[1].estimated.size(), 1u);
    EXPECT_DOUBLE_EQ(comp.nodes[1].estimated[0], 900 * 0.6);
}

TEST_F(Output, UntimedCallsAreEstimatedFromTheSamplesAfterTheBaseline) {
    static timemory_site s_c{2, TIMEMORY_LANG_CXX, "child", "child", "", 0, TIMEMORY_SITE_ABI};
    call_graph g(1);
    uint32_t c = g.child(0, 2, 0);
    // 20 early calls of 10 ns, then throttled: 20 samples of 50 ns stand for 80 untimed.
    g.at(c).count = 20;
    for (int i = 0; i < 20; ++i)
        g.stats(c)[0].add(10);
    g.record_baseline(c);
    g.at(c).count += 20;
    g.at(c).unmeasured = 80;
    for (int i = 0; i < 20; ++i)
        g.stats(c)[0].add(50);
    auto r = make_result(g, {}, {nullptr, nullptr, &s_c}, b, getpid());
    EXPECT_DOUBLE_EQ(r.nodes[0].inclusive[0].sum, 20 * 10 + 20 * 50 + 80 * 50);
    EXPECT_EQ(r.nodes[0].count, 120u);
    EXPECT_EQ(r.nodes[0].untimed, 80u);
}

// The writers know the process only through the report_context the runtime hands them:
// with a made-up one (no runtime running here) the set carries its pid, names and counts,
// and the own-pid file names follow its facts.
TEST_F(Output, ReportSetIsWrittenFromItsContextAlone) {
    report_context ctx;
    ctx.pid = 4242;
    ctx.parent_pid = 17;
    ctx.program = "ctxprog";
    ctx.start_time_ns = 1'700'000'000'000'000'000;
    ctx.argv = {"ctxprog", "--flag"};
    ctx.thread_count = 3;
    ctx.failures.unmatched = 2;
    ctx.refused_sites = 1;
    ctx.overhead = {{1.5, 2.5, 0.5}};
    settings::values v = settings::current();
    v.run_folders = false;
    v.output_path = ::testing::TempDir() + "/report_context/%p-%pid";
    const std::string dir = ::testing::TempDir() + "/report_context/ctxprog-4242";
    const std::string stem = report_units(res.components)[0].stem(res.components);
    auto exists = [&](const std::string& f) { return access((dir + "/" + f).c_str(), F_OK) == 0; };
    struct case_t {
        bool fork_child, in_mpi_job, on_signal;
        std::string suffix;
    };
    for (const case_t& c : {case_t{true, false, false, "-4242"}, case_t{false, false, false, ""},
                            case_t{false, false, true, ""}, case_t{false, true, true, "-4242"}}) {
        SCOPED_TRACE("fork " + std::to_string(c.fork_child) + " mpi " +
                     std::to_string(c.in_mpi_job) + " signal " + std::to_string(c.on_signal));
        std::system(("rm -rf '" + dir + "'").c_str());
        ctx.fork_child = c.fork_child;
        ctx.in_mpi_job = c.in_mpi_job;
        ctx.on_signal = c.on_signal;
        const result_input graph(res);
        EXPECT_EQ(write_report_set(ctx, v, {{&graph}, nullptr, {}}), dir);
        for (const char* ext : {".json", ".tree.json", ".txt", ".flamegraph.json"})
            EXPECT_TRUE(exists(stem + c.suffix + ext)) << stem + c.suffix + ext;
        std::ifstream in(dir + "/metadata" + c.suffix + ".json");
        ASSERT_TRUE(in.good());
        const json_t m = json_t::parse(in)["timemory"];
        EXPECT_EQ(m["pid"], 4242);
        EXPECT_EQ(m["parent_pid"], 17);
        EXPECT_EQ(m["command_line"], json_t({"ctxprog", "--flag"}));
        EXPECT_EQ(m["thread_count"], 3);
        EXPECT_EQ(m["node_count"], res.nodes.size());
        EXPECT_EQ(m["failures"]["unmatched_exits"], 2);
        EXPECT_EQ(m["failures"]["refused_sites"], 1);
        EXPECT_EQ(m["overhead"]["wall_clock"]["timed_call"], 2.5);
        EXPECT_EQ(m["overhead"]["wall_clock"]["units"], res.components[0].units);
    }
}

// The writers read this process's graph through graph_report, read in place at finalize
// or from a graph handed over: both give every node of the result, in pre-order, with
// children as indices, and reading in place leaves the graph as it was.
TEST_F(Output, GraphReportReadsTheGraphInPlaceOrHandedOver) {
    call_graph g(1);
    uint32_t m = g.child(0, 1, 0), c = g.child(m, 2, 0), o = g.child(0, 3, 0);
    uint32_t c2 = g.child(o, 2, 0); // "child" again, under another parent
    for (uint32_t n : {m, c, o, c2}) {
        g.at(n).count = n;
        g.stats(n)[0].add(1000 / n);
    }
    const size_t before = g.size();
    const graph_report in_place(&g, std::vector<int>(g.size(), 0), sites, b, 77);
    const graph_report handed(call_graph(g), std::vector<int>(g.size(), 0), sites, b, 77);
    EXPECT_EQ(g.size(), before);
    ASSERT_EQ(in_place.size(), 4u);
    const timemory::result r = to_result(in_place), r2 = to_result(handed);
    const std::vector<std::string> names{"main", "child", "other", "child"};
    const std::vector<int64_t> parents{-1, 0, -1, 2};
    for (size_t i = 0; i < 4; ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(r.nodes[i].name, names[i]);
        EXPECT_EQ(r.nodes[i].parent, parents[i]);
        EXPECT_EQ(r.nodes[i].pid, 77);
        EXPECT_EQ(r2.nodes[i].rolling_hash, r.nodes[i].rolling_hash);
        EXPECT_EQ(r2.nodes[i].inclusive[0].sum, r.nodes[i].inclusive[0].sum);
        EXPECT_EQ(r2.nodes[i].exclusive[0].sum, r.nodes[i].exclusive[0].sum);
    }
    EXPECT_EQ(r.nodes[0].children, std::vector<size_t>{1});
    EXPECT_EQ(r.nodes[2].children, std::vector<size_t>{3});
    EXPECT_NE(r.nodes[1].rolling_hash, r.nodes[3].rolling_hash) << "same function, other path";
    EXPECT_EQ(r.nodes[1].hash, r.nodes[3].hash);
    // main: 1000 ns inclusive, its child's 500 below it.
    EXPECT_DOUBLE_EQ(r.nodes[0].inclusive[0].sum, 1000.0 / m);
    EXPECT_DOUBLE_EQ(r.nodes[0].exclusive[0].sum, 1000.0 / m - 1000.0 / c);
}

// MPI ranks format their own entries of the per-rank files ("slices") while rank 0 works;
// rank 0 copies them in. The files must be the same, byte for byte, as when rank 0 formats
// every entry from the gathered bytes, and an entry with no slice is formatted there.
TEST_F(Output, RankSlicesGiveTheSameFilesAsFormattingEveryRankInOneProcess) {
    timemory_site s_odd{4, TIMEMORY_LANG_CXX, "odd \"name\"\t\xff", "odd", "c.cpp",
                        9, TIMEMORY_SITE_ABI};
    std::vector<const timemory_site*> more = sites;
    more.push_back(&s_odd);
    call_graph g(1);
    uint32_t m = g.child(0, 1, 0), c = g.child(m, 2, 0), o = g.child(0, 3, 0);
    uint32_t x = g.child(c, 4, 0);
    for (uint32_t n : {m, c, o, x}) {
        g.at(n).count = n + 1;
        g.stats(n)[0].add(1000.0 / (n + 0.3));
        g.stats(n)[0].add(7.0 / 3.0);
    }
    // The ranks' side reads its graph in place; rank 0 reads what it decoded.
    const graph_report graph(&g, std::vector<int>(g.size(), 0), more, b, 77);
    std::vector<timemory::result> ranks;
    for (int k = 0; k < 4; ++k)
        ranks.push_back(timemory::decode(encode_report(graph, k)));
    const timemory::result combined = timemory::combine_ranks(ranks);
    const std::vector<result_input> inputs(ranks.begin(), ranks.end());
    std::vector<const report_input*> list;
    for (const result_input& in : inputs)
        list.push_back(&in);
    const result_input combined_in(combined);

    const std::string root = ::testing::TempDir() + "/rank_slices";
    std::system(("rm -rf '" + root + "'").c_str());
    settings::values v = settings::current();
    v.run_folders = false;
    v.output_path = root + "/%p";
    report_context ctx;
    ctx.pid = 4243;
    ctx.in_mpi_job = true;
    auto write = [&](const std::string& program, const rank_slices* slices) {
        ctx.program = program;
        return write_report_set(ctx, v, {list, &combined_in, {}, slices});
    };
    auto text = [](const std::string& path) {
        std::ifstream in(path, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    const std::string stem = report_units(ranks[0].components)[0].stem(ranks[0].components);
    const std::vector<std::string> files{"ranks/" + stem + ".json", "ranks/" + stem + ".tree.json",
                                         "ranks/" + stem + ".txt",  stem + ".json",
                                         stem + ".tree.json",       stem + ".txt"};

    ASSERT_EQ(write("plain", nullptr), root + "/plain");
    const std::string dir = make_slice_folder(v, "sliced", ctx.pid);
    ASSERT_EQ(dir, root + "/sliced/.tmp-slices-4243");
    for (int k : {1, 3}) // rank 2 wrote none: formatted by the writing process
        EXPECT_TRUE(write_rank_slices(dir, graph, k, v));
    int ready = 0;
    {
        const rank_slices slices(dir, [&] { ++ready; });
        ASSERT_EQ(write("sliced", &slices), root + "/sliced");
        EXPECT_EQ(ready, 1) << "waited for the ranks once, before the first slice";
        for (const std::string& f : files) {
            SCOPED_TRACE(f);
            const std::string a = text(root + "/plain/" + f), b2 = text(root + "/sliced/" + f);
            EXPECT_GT(a.size(), 100u);
            EXPECT_EQ(a, b2);
        }
        // The slices really are what goes in: rank 3's table replaced is rank 3's table.
        ASSERT_TRUE(write_atomic(dir + "/" + stem + ".text.3", "rank three's table\n", nullptr));
        ASSERT_EQ(write("copied", &slices), root + "/copied");
        const std::string t = text(root + "/copied/ranks/" + stem + ".txt");
        EXPECT_NE(t.find("|2>"), std::string::npos);
        EXPECT_EQ(t.find("|3>"), std::string::npos);
        EXPECT_EQ(t.substr(t.size() - 19), "rank three's table\n");
        // A slice that is there but cannot be read: that file is not written (no partial
        // file), the message names the part, the other files are written.
        ASSERT_EQ(unlink((dir + "/" + stem + ".tree.1").c_str()), 0);
        ASSERT_EQ(mkdir((dir + "/" + stem + ".tree.1").c_str(), 0755), 0);
        ::testing::internal::CaptureStderr();
        EXPECT_EQ(write("unreadable", &slices), "");
        const std::string err = ::testing::internal::GetCapturedStderr();
        EXPECT_NE(err.find("cannot read rank 1's part"), std::string::npos) << err;
        EXPECT_NE(err.find("ranks/" + stem + ".tree.json"), std::string::npos) << err;
        EXPECT_NE(access((root + "/unreadable/ranks/" + stem + ".json").c_str(), F_OK), -1);
        EXPECT_EQ(access((root + "/unreadable/ranks/" + stem + ".tree.json").c_str(), F_OK), -1);
        rmdir((dir + "/" + stem + ".tree.1").c_str());
        slices.remove();
    }
    EXPECT_EQ(ready, 1);
    EXPECT_EQ(access(dir.c_str(), F_OK), -1) << "the slice folder is removed";
}
