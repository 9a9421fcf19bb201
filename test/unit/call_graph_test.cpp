#include <gtest/gtest.h>

#include "graph/call_graph.hpp"

using namespace timemory::rt;

TEST(CallGraph, ChildIsFoundAgainNotDuplicated) {
    call_graph g(1);
    uint32_t a = g.child(0, 7, 100);
    uint32_t b = g.child(a, 8, 101);
    EXPECT_EQ(g.child(0, 7, 200), a);
    EXPECT_EQ(g.child(a, 8, 300), b);
    EXPECT_NE(g.child(0, 8, 300), b) << "same site under another parent is another node";
    EXPECT_EQ(g.size(), 4u);
    EXPECT_EQ(g.at(b).parent, a);
    EXPECT_EQ(g.at(b).depth, 2u);
}

TEST(CallGraph, ManyChildrenSurviveRehashing) {
    call_graph g(2);
    std::vector<uint32_t> ids;
    for (uint32_t s = 1; s <= 5000; ++s)
        ids.push_back(g.child(s % 3 == 0 ? 0 : 1 % 1, s, 0));
    for (uint32_t s = 1; s <= 5000; ++s)
        EXPECT_EQ(g.child(0, s, 0), ids[s - 1]);
    EXPECT_EQ(g.size(), 5001u);
}

TEST(CallGraph, StatsAccumulate) {
    running_stat s;
    for (double v : {3.0, 1.0, 2.0})
        s.add(v);
    EXPECT_DOUBLE_EQ(s.sum, 6.0);
    EXPECT_DOUBLE_EQ(s.sumsq, 14.0);
    EXPECT_DOUBLE_EQ(s.min, 1.0);
    EXPECT_DOUBLE_EQ(s.max, 3.0);
}

TEST(CallGraph, MergeCombinesSamePathsAndAddsNewOnes) {
    call_graph a(1), b(1);
    uint32_t am = a.child(0, 1, 10);
    a.at(am).count = 2;
    a.stats(am)[0].add(5);
    a.stats(am)[0].add(7);
    uint32_t bm = b.child(0, 1, 5);
    b.at(bm).count = 1;
    b.stats(bm)[0].add(1);
    uint32_t bx = b.child(bm, 2, 6);
    b.at(bx).count = 4;
    a.merge(b, 0, false);
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a.at(am).count, 3u);
    EXPECT_DOUBLE_EQ(a.stats(am)[0].sum, 13.0);
    EXPECT_DOUBLE_EQ(a.stats(am)[0].min, 1.0);
    EXPECT_DOUBLE_EQ(a.stats(am)[0].max, 7.0);
    EXPECT_EQ(a.at(am).first_ticks, 5);
    uint32_t ax = a.child(am, 2, 0);
    EXPECT_EQ(a.at(ax).count, 4u);
}

TEST(CallGraph, MergeUnderANodePlacesTheGraphThere) {
    call_graph main(1), worker(1);
    uint32_t spawn = main.child(main.child(0, 1, 0), 2, 0);
    worker.child(0, 3, 0);
    main.merge(worker, spawn, false);
    uint32_t w = main.child(spawn, 3, 0);
    EXPECT_EQ(main.at(w).depth, 3u);
    EXPECT_EQ(main.size(), 4u);
}

TEST(CallGraph, TimelineAppendAlwaysCreates) {
    call_graph g(1);
    uint32_t a = g.append(0, 1, 0), b = g.append(0, 1, 0);
    EXPECT_NE(a, b);
    call_graph h(1);
    h.merge(g, 0, true);
    EXPECT_EQ(h.size(), 3u);
}

TEST(CallGraph, ClearKeepsOnlyTheRoot) {
    call_graph g(1);
    g.child(0, 1, 0);
    g.clear();
    EXPECT_EQ(g.size(), 1u);
    EXPECT_EQ(g.child(0, 1, 0), 1u);
}

// A thread that started a thread, merged in turn into the thread that started it: the
// grandchild's work stays apart from the same function called on the middle thread.
TEST(CallGraph, AnotherThreadsWorkStaysApartWhenMergedAgain) {
    call_graph main(1), mid(1), inner(1);
    const uint32_t spawn = main.child(0, 1, 0);
    const uint32_t work = mid.child(0, 2, 0);
    mid.at(mid.child(work, 3, 0)).count = 1;  // site 3 called on the middle thread
    inner.at(inner.child(0, 3, 0)).count = 5; // and on the thread it started
    mid.merge(inner, work, false, true);
    ASSERT_EQ(mid.size(), 4u) << "site 3 twice under `work`: its own and the foreign one";
    main.merge(mid, spawn, false, true);
    ASSERT_EQ(main.size(), 5u);
    uint32_t own = no_node, foreign = no_node;
    for (uint32_t i = 1; i < main.size(); ++i)
        if (main.at(i).site == 3) (main.at(i).foreign ? foreign : own) = i;
    ASSERT_NE(own, no_node);
    ASSERT_NE(foreign, no_node);
    EXPECT_EQ(main.at(own).count, 1u);
    EXPECT_EQ(main.at(foreign).count, 5u);
    EXPECT_EQ(main.at(own).parent, main.at(foreign).parent);
}

// Finished threads wait under an anchor standing for the node they started from; a
// subtree merge places them there later, and a copy of the graph is independent.
TEST(CallGraph, AnchoredSubtreeMergesUnderItsNode) {
    call_graph main(1), done(1), worker(1);
    const uint32_t spawn = main.child(main.child(0, 1, 0), 2, 0);
    worker.at(worker.child(0, 4, 0)).count = 3;
    const uint32_t a = done.anchor(spawn);
    EXPECT_EQ(done.anchor(spawn), a);
    done.merge(worker, a, false);
    done.merge(worker, a, false); // a second thread from the same place
    call_graph copy = done;
    main.merge_anchored(copy, true);
    ASSERT_EQ(main.size(), 4u);
    EXPECT_EQ(main.at(3).parent, spawn);
    EXPECT_EQ(main.at(3).count, 6u);
    EXPECT_TRUE(main.at(3).foreign);
    done.clear();
    EXPECT_EQ(copy.size(), 3u);
    EXPECT_EQ(copy.child(a, 4, 0), 2u) << "the copy's own index";
    call_graph elsewhere(1);
    elsewhere.merge_anchored(copy, false); // not the graph they started from: at its root
    ASSERT_EQ(elsewhere.size(), 2u);
    EXPECT_EQ(elsewhere.at(1).parent, 0u);
    EXPECT_EQ(elsewhere.at(1).count, 6u);
}

namespace {
// One timed call of node `n` worth `v` (what an exit records).
void timed_call(call_graph& g, uint32_t n, int64_t v) {
    g.at(n).count += 1;
    g.stats(n)[0].finish(v);
}
} // namespace

TEST(CallGraph, SampleMeanIsTheMedianOfBlocksSoOneOutlierMovesOneBlock) {
    call_graph g(1);
    const uint32_t n = g.child(0, 7, 0);
    for (int i = 0; i < 100; ++i)
        timed_call(g, n, 100);
    g.record_baseline(n);
    // 200 samples of 100 ticks, noted at each sample's start as the runtime does; one of
    // them preempted: 4 000 000 ticks (a time slice in a call of 100).
    for (int i = 0; i < 200; ++i) {
        g.note_sample(n);
        timed_call(g, n, i == 57 ? 4000000 : 100);
    }
    double mean = 0;
    ASSERT_TRUE(g.sample_mean(n, 0, &mean));
    EXPECT_DOUBLE_EQ(mean, 100.0);
    // The plain mean of the samples would be ~20 100: the outlier times 1/200.
    const double plain = double(g.stats(n)[0].sum - g.baseline_sum(n, 0)) / 200;
    EXPECT_GT(plain, 20000.0);
    // Merged into another graph (threads folded), the blocks go along.
    call_graph into(1);
    into.reserve_for_merge({&g});
    const auto map = into.merge(g, 0, false);
    ASSERT_TRUE(into.sample_mean(map[n], 0, &mean));
    EXPECT_DOUBLE_EQ(mean, 100.0);
}

TEST(CallGraph, SampleMeanFollowsAFunctionThatGrowsCostlier) {
    call_graph g(1);
    const uint32_t n = g.child(0, 7, 0);
    g.record_baseline(n);
    // The first half of the run's samples cost 100, the second half 300: blocks cover the
    // whole run (merged in pairs when full), so the median lies between the two.
    for (int i = 0; i < 400; ++i) {
        g.note_sample(n);
        timed_call(g, n, i < 200 ? 100 : 300);
    }
    double mean = 0;
    ASSERT_TRUE(g.sample_mean(n, 0, &mean));
    EXPECT_GE(mean, 100.0);
    EXPECT_LE(mean, 300.0);
    EXPECT_GT(mean, 100.0) << "the later, costlier samples count";
}

TEST(CallGraph, FewSamplesGiveNoMedian) {
    call_graph g(1);
    const uint32_t n = g.child(0, 7, 0);
    for (int i = 0; i < 8; ++i) {
        g.note_sample(n);
        timed_call(g, n, 100);
    }
    double mean = 0;
    EXPECT_FALSE(g.sample_mean(n, 0, &mean)) << "fewer than three blocks: the caller's mean";
}

TEST(CallGraph, SampleMeansCoverEveryComponentOfALargeBundle) {
    // 70 components (a PAPI vector of many events): blocks hold a mean for each one.
    call_graph g(70);
    const uint32_t n = g.child(0, 7, 0);
    for (int i = 0; i < 64; ++i) {
        g.note_sample(n);
        g.at(n).count += 1;
        for (size_t c = 0; c < 70; ++c)
            g.stats(n)[c].finish(int64_t(10 * (c + 1)));
    }
    double mean = 0;
    ASSERT_TRUE(g.sample_mean(n, 69, &mean));
    EXPECT_DOUBLE_EQ(mean, 700.0);
    ASSERT_TRUE(g.sample_mean(n, 0, &mean));
    EXPECT_DOUBLE_EQ(mean, 10.0);
}
