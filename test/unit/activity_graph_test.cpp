// The cupti_activity graph built from aggregated records (no GPU needed): each kind of
// GPU work under the path of the node that launched it, host nodes holding the totals.
#include <gtest/gtest.h>

#include "cupti/activity_graph.hpp"

using namespace timemory::rt;
using namespace timemory::rt::cupti;

namespace {

running_stat stat_of(std::initializer_list<double> values) {
    running_stat s;
    for (double v : values)
        s.add(v);
    return s;
}

// The child of `parent` with site `site`, or no_node.
uint32_t find_child(const call_graph& g, uint32_t parent, uint32_t site) {
    for (uint32_t i = 1; i < g.size(); ++i)
        if (g.at(i).parent == parent && g.at(i).site == site) return i;
    return no_node;
}

} // namespace

TEST(ActivityGraph, WorkNestsUnderTheLaunchingPathAndHostNodesSumIt) {
    // Thread 0: main(1) -> compute(2) -> inner(3); thread 1: worker(4).
    call_graph t0(1), t1(1);
    uint32_t main_ = t0.child(0, 1, 0), compute = t0.child(main_, 2, 0);
    uint32_t inner = t0.child(compute, 3, 0);
    uint32_t worker = t1.child(0, 4, 0);
    const uint32_t scale = 100, add_one = 101, h2d = 102;
    std::vector<activity> acts = {
        {0, compute, scale, 5, stat_of({10, 10, 10, 10, 20}), stat_of({0, 0, 0, 0, 0})},
        {0, inner, add_one, 3, stat_of({1, 2, 3}), stat_of({0, 0, 0})},
        {0, main_, h2d, 1, stat_of({7}), stat_of({1 << 20})},
        {1, worker, scale, 2, stat_of({4, 6}), stat_of({0, 0})},
        {9, 5, add_one, 1, stat_of({8}), stat_of({0})}, // unknown thread: at the top
    };
    std::vector<int> tid;
    call_graph g = activity_graph(acts, {&t0, &t1}, &tid);
    ASSERT_EQ(tid.size(), g.size());

    uint32_t gm = find_child(g, 0, 1), gc = find_child(g, gm, 2), gi = find_child(g, gc, 3);
    ASSERT_NE(gi, no_node);
    uint32_t k_scale = find_child(g, gc, scale), k_add = find_child(g, gi, add_one);
    uint32_t copy = find_child(g, gm, h2d);
    ASSERT_NE(k_scale, no_node);
    ASSERT_NE(k_add, no_node);
    ASSERT_NE(copy, no_node);
    EXPECT_EQ(g.at(k_scale).count, 5u);
    EXPECT_DOUBLE_EQ(g.stats(k_scale)[0].sum, 60);
    EXPECT_DOUBLE_EQ(g.stats(k_scale)[0].max, 20);
    EXPECT_EQ(g.at(k_add).count, 3u);
    EXPECT_DOUBLE_EQ(g.stats(copy)[1].sum, double(1 << 20));
    // Host nodes: everything below them.
    EXPECT_EQ(g.at(gi).count, 3u);
    EXPECT_DOUBLE_EQ(g.stats(gi)[0].sum, 6);
    EXPECT_EQ(g.at(gc).count, 8u);
    EXPECT_DOUBLE_EQ(g.stats(gc)[0].sum, 66);
    EXPECT_DOUBLE_EQ(g.stats(gc)[0].min, 1);
    EXPECT_EQ(g.at(gm).count, 9u);
    EXPECT_DOUBLE_EQ(g.stats(gm)[0].sum, 73);
    EXPECT_DOUBLE_EQ(g.stats(gm)[1].sum, double(1 << 20));
    // The worker's launch is under its own region, owned by thread 1.
    uint32_t gw = find_child(g, 0, 4);
    ASSERT_NE(gw, no_node);
    uint32_t wk = find_child(g, gw, scale);
    ASSERT_NE(wk, no_node);
    EXPECT_EQ(tid[wk], 1);
    EXPECT_DOUBLE_EQ(g.stats(gw)[0].sum, 10);
    // Unknown launching thread: the operation itself is a top-level node.
    uint32_t top = find_child(g, 0, add_one);
    ASSERT_NE(top, no_node);
    EXPECT_EQ(g.at(top).count, 1u);
    // Same kernel from two places: two nodes, never merged across paths.
    EXPECT_NE(k_scale, wk);
}

TEST(ActivityGraph, NoRecordsGiveAnEmptyGraph) {
    std::vector<int> tid;
    call_graph g = activity_graph({}, {}, &tid);
    EXPECT_EQ(g.size(), 1u);
    EXPECT_EQ(tid.size(), 1u);
}
