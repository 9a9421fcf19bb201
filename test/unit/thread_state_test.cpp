#include <gtest/gtest.h>

#include <set>

#include "base/clock.hpp"
#include "components/component.hpp"
#include "graph/thread_state.hpp"

using namespace timemory::rt;

namespace {
timemory_site make_site(uint32_t id, const char* name) {
    return timemory_site{id, TIMEMORY_LANG_REGION, name, name, "", 0, TIMEMORY_SITE_ABI};
}

struct ThreadState : ::testing::Test {
    bundle wall, multi;
    record_options opts;
    timemory_site a = make_site(1, "a"), b = make_site(2, "b"), c = make_site(3, "c");
    void SetUp() override {
        calibrate_wall_clock();
        wall.select({find_component("wall_clock")});
        multi.select({find_component("wall_clock"), find_component("trip_count")});
    }
    void exit(thread_state& ts, timemory_site& s, const bundle& bd) {
        int64_t snap[field_count] = {};
        read_sources(bd.sources, snap);
        ts.exit(&s, bd, opts, bd.wall_only ? wall_ticks() : snap[0], snap);
    }
};
} // namespace

TEST_F(ThreadState, NestedEnterExitBuildsTheTree) {
    thread_state ts(0, wall);
    for (int i = 0; i < 3; ++i) {
        ts.enter(&a, wall, opts);
        ts.enter(&b, wall, opts);
        exit(ts, b, wall);
        exit(ts, a, wall);
    }
    ASSERT_EQ(ts.graph.size(), 3u);
    EXPECT_EQ(ts.graph.at(1).count, 3u);
    EXPECT_EQ(ts.graph.at(2).count, 3u);
    EXPECT_EQ(ts.graph.at(2).parent, 1u);
    EXPECT_GE(ts.graph.stats(1)[0].sum, ts.graph.stats(2)[0].sum);
    EXPECT_TRUE(ts.stack.empty());
}

TEST_F(ThreadState, OuterExitClosesSkippedFrames) {
    thread_state ts(0, multi);
    ts.enter(&a, multi, opts);
    ts.enter(&b, multi, opts);
    ts.enter(&c, multi, opts);
    exit(ts, a, multi); // b and c were skipped by an exception
    EXPECT_TRUE(ts.stack.empty());
    EXPECT_EQ(ts.failures.reconciled, 2u);
    for (uint32_t n = 1; n <= 3; ++n) {
        EXPECT_EQ(ts.graph.at(n).count, 1u);
        EXPECT_EQ(ts.graph.stats(n)[1].sum, 1.0) << "trip_count recorded for node " << n;
    }
}

TEST_F(ThreadState, ExitWithoutEnterIsIgnored) {
    thread_state ts(0, wall);
    exit(ts, a, wall);
    ts.enter(&b, wall, opts);
    exit(ts, c, wall);
    EXPECT_EQ(ts.failures.unmatched, 2u);
    EXPECT_EQ(ts.stack.size(), 1u) << "b stays open";
    exit(ts, b, wall);
    EXPECT_EQ(ts.graph.at(1).count, 1u);
}

TEST_F(ThreadState, MaxDepthKeepsFramesButRecordsNothingDeeper) {
    opts.max_depth = 1;
    thread_state ts(0, wall);
    ts.enter(&a, wall, opts);
    ts.enter(&b, wall, opts);
    ts.enter(&c, wall, opts);
    EXPECT_EQ(ts.stack.size(), 3u);
    exit(ts, c, wall);
    exit(ts, b, wall);
    exit(ts, a, wall);
    EXPECT_EQ(ts.graph.size(), 2u);
    EXPECT_EQ(ts.failures.reconciled + ts.failures.unmatched, 0u);
}

TEST_F(ThreadState, FlatModeKeysEverythingAtTheRoot) {
    opts.flat = true;
    thread_state ts(0, wall);
    ts.enter(&a, wall, opts);
    ts.enter(&a, wall, opts); // recursion
    exit(ts, a, wall);
    exit(ts, a, wall);
    ASSERT_EQ(ts.graph.size(), 2u);
    EXPECT_EQ(ts.graph.at(1).count, 2u);
    EXPECT_EQ(ts.graph.at(1).depth, 1u);
}

TEST_F(ThreadState, CloseAllAndForget) {
    thread_state ts(0, wall);
    ts.enter(&a, wall, opts);
    ts.enter(&b, wall, opts);
    ts.close_all(wall, opts);
    EXPECT_EQ(ts.failures.closed_at_end, 2u);
    EXPECT_EQ(ts.graph.at(2).count, 1u);
    ts.enter(&a, wall, opts);
    ts.forget();
    exit(ts, a, wall);
    EXPECT_EQ(ts.graph.size(), 1u) << "a frame opened before forget() records nothing";
}

TEST_F(ThreadState, UnwindToClosesFramesAboveAndKeepsTheTarget) {
    thread_state ts(0, wall);
    ts.enter(&a, wall, opts);
    ts.enter(&b, wall, opts);
    ts.enter(&c, wall, opts);
    ts.unwind_to(&a, wall, opts); // an exception from c was caught in a
    ASSERT_EQ(ts.stack.size(), 1u);
    EXPECT_EQ(ts.stack.back().site, &a);
    EXPECT_EQ(ts.failures.reconciled, 2u);
    ts.enter(&b, wall, opts); // a calls b again: b is a child of a, not of the stale c
    exit(ts, b, wall);
    exit(ts, a, wall);
    EXPECT_EQ(ts.graph.size(), 4u);
    EXPECT_EQ(ts.graph.at(2).count, 2u) << "a > b called twice";
    ts.unwind_to(&c, wall, opts); // not open: nothing happens
    EXPECT_EQ(ts.failures.reconciled, 2u);
}

TEST_F(ThreadState, ShortFunctionIsThrottledAfterCountAndStillCounted) {
    opts.throttle_count = 5;
    opts.throttle_ticks = 1e15; // everything is "short"
    opts.throttle_sample = 0;   // no timed samples: every later call is untimed
    timemory_site fn{4, TIMEMORY_LANG_CXX, "fn", "fn", "", 0, TIMEMORY_SITE_ABI};
    thread_state ts(0, wall);
    for (int i = 0; i < 5; ++i) {
        ts.enter(&fn, wall, opts);
        exit(ts, fn, wall);
    }
    EXPECT_TRUE(fn.flags & TIMEMORY_SITE_THROTTLED);
    for (int i = 0; i < 7; ++i) {
        ts.enter_throttled(&fn, opts);
        EXPECT_TRUE(ts.exit_throttled(&fn));
    }
    EXPECT_EQ(ts.graph.at(1).count, 5u);
    EXPECT_EQ(ts.graph.at(1).unmeasured, 7u);
    EXPECT_FALSE(ts.exit_throttled(&fn)) << "no untimed call open";
}

TEST_F(ThreadState, ThrottledRecursionDoesNotCloseTheTimedOuterFrame) {
    opts.throttle_count = 1;
    opts.throttle_ticks = 1e15;
    opts.throttle_sample = 0;
    timemory_site fn{4, TIMEMORY_LANG_CXX, "fn", "fn", "", 0, TIMEMORY_SITE_ABI};
    thread_state ts(0, wall);
    ts.enter(&fn, wall, opts); // outer call, timed
    ts.enter(&fn, wall, opts); // inner call, timed
    exit(ts, fn, wall);        // inner closes: count 1 -> throttled
    ASSERT_TRUE(fn.flags & TIMEMORY_SITE_THROTTLED);
    ts.enter_throttled(&fn, opts);        // a deeper recursive call, untimed
    EXPECT_TRUE(ts.exit_throttled(&fn));  // its exit is the untimed one
    EXPECT_FALSE(ts.exit_throttled(&fn)); // the next exit belongs to the timed outer frame
    exit(ts, fn, wall);
    EXPECT_TRUE(ts.stack.empty());
    EXPECT_EQ(ts.failures.reconciled + ts.failures.unmatched, 0u);
}

TEST_F(ThreadState, ManualRegionsAreNeverThrottled) {
    opts.throttle_count = 1;
    opts.throttle_ticks = 1e15;
    thread_state ts(0, wall);
    ts.enter(&a, wall, opts);
    exit(ts, a, wall);
    EXPECT_FALSE(a.flags & TIMEMORY_SITE_THROTTLED);
}

TEST_F(ThreadState, ThrottledSiteTimesOneCallInThrottleSampleAtRandom) {
    opts.throttle_count = 5;
    opts.throttle_ticks = 1e15;
    opts.throttle_sample = 4;
    timemory_site fn{4, TIMEMORY_LANG_CXX, "fn", "fn", "", 0, TIMEMORY_SITE_ABI};
    thread_state ts(0, wall);
    for (int i = 0; i < 5; ++i) {
        ts.enter(&fn, wall, opts);
        exit(ts, fn, wall);
    }
    ASSERT_TRUE(fn.flags & TIMEMORY_SITE_THROTTLED);
    // 8000 more calls: about one in 4 is a timed sample (a frame with a clock), at random
    // distances, so a periodic pattern of calls cannot hide from the samples.
    std::set<int> distances;
    int since = 0;
    for (int i = 0; i < 8000; ++i) {
        ts.enter_throttled(&fn, opts);
        ++since;
        if (!ts.exit_throttled(&fn)) {
            exit(ts, fn, wall);
            distances.insert(since);
            since = 0;
        }
    }
    const uint64_t samples = ts.graph.at(1).count - 5;
    EXPECT_NEAR(double(samples), 2000.0, 200.0);
    EXPECT_EQ(ts.graph.at(1).unmeasured, 8000u - samples);
    EXPECT_GE(distances.size(), 5u) << "sample distances vary";
    EXPECT_LE(*distances.rbegin(), 7) << "at most 2K-1 calls apart";
    // The baseline is where the samples start: the 5 calls timed before throttling.
    EXPECT_EQ(ts.graph.baseline_count(1), 5u);
    EXPECT_TRUE(ts.stack.empty());
}

TEST_F(ThreadState, ThrottledCallsKeepTheirFrameSoCalleesNestUnderThem) {
    opts.throttle_count = 1;
    opts.throttle_ticks = 1e15;
    opts.throttle_sample = 0;
    timemory_site fn{4, TIMEMORY_LANG_CXX, "fn", "fn", "", 0, TIMEMORY_SITE_ABI};
    thread_state ts(0, wall);
    ts.enter(&fn, wall, opts);
    exit(ts, fn, wall);
    ASSERT_TRUE(fn.flags & TIMEMORY_SITE_THROTTLED);
    ts.enter_throttled(&fn, opts); // untimed
    ts.enter(&b, wall, opts);      // a callee that is timed
    exit(ts, b, wall);
    EXPECT_TRUE(ts.exit_throttled(&fn));
    ASSERT_EQ(ts.graph.size(), 3u);
    EXPECT_EQ(ts.graph.at(2).parent, 1u) << "b is under fn, not under fn's caller";
    EXPECT_EQ(ts.graph.at(2).count, 1u);
}

namespace {
// One segment of a generator call: opened fresh or resumed, closed by a yield or the end.
void segment(thread_state& ts, timemory_site& s, const bundle& bd, const record_options& o,
             bool resumed, bool suspends) {
    ts.enter(&s, bd, o);
    ts.stack.back().resumed = resumed ? 1 : 0;
    int64_t snap[field_count] = {};
    read_sources(bd.sources, snap);
    const int64_t t = bd.wall_only ? wall_ticks() : snap[0];
    if (suspends)
        ts.suspend(&s, bd, o, t, snap);
    else
        ts.exit(&s, bd, o, t, snap);
}
} // namespace

TEST_F(ThreadState, GeneratorSegmentsAreOneCall) {
    thread_state ts(0, multi);
    ts.enter(&a, multi, opts);
    segment(ts, b, multi, opts, false, true); // started, yields
    for (int i = 0; i < 5; ++i)
        segment(ts, b, multi, opts, true, true); // resumed, yields again
    segment(ts, b, multi, opts, true, false);    // resumed, returns
    exit(ts, a, multi);
    const node& g = ts.graph.at(2);
    EXPECT_EQ(g.count, 1u);
    EXPECT_EQ(g.inflight, 0u);
    EXPECT_EQ(ts.graph.stats(2)[1].sum, 1) << "trip_count: one per call, not per segment";
    EXPECT_EQ(ts.graph.stats(2)[0].pending, 0);
    EXPECT_GT(ts.graph.stats(2)[0].sum, 0);
}

TEST_F(ThreadState, GeneratorClosedEarlyIsCountedWithTheTimeItRan) {
    thread_state ts(0, multi);
    ts.enter(&a, multi, opts);
    for (int call = 0; call < 3; ++call) {
        segment(ts, b, multi, opts, false, true); // started, yields, never resumed
        segment(ts, b, multi, opts, true, true);  // one resume: still suspended at the end
    }
    exit(ts, a, multi);
    const int64_t pending = ts.graph.stats(2)[0].pending;
    EXPECT_EQ(ts.graph.at(2).count, 0u);
    EXPECT_EQ(ts.graph.at(2).inflight, 3u);
    ASSERT_GT(pending, 0);

    call_graph copy = ts.graph;
    settle_in_flight(copy, multi);
    EXPECT_EQ(copy.at(2).count, 3u);
    EXPECT_EQ(copy.at(2).inflight, 0u);
    EXPECT_EQ(copy.stats(2)[0].sum, pending) << "every segment's time is kept";
    EXPECT_EQ(copy.stats(2)[0].pending, 0);
    EXPECT_EQ(copy.stats(2)[1].sum, 3) << "trip_count of three calls";
    EXPECT_LE(copy.stats(2)[0].max - copy.stats(2)[0].min, 2) << "an equal share each";
    EXPECT_EQ(ts.graph.at(2).inflight, 3u) << "the live graph is left as it was";
}

TEST_F(ThreadState, InterleavedGeneratorsOfOneNodeCountTwice) {
    thread_state ts(0, wall);
    ts.enter(&a, wall, opts);
    segment(ts, b, wall, opts, false, true); // g1 starts
    segment(ts, b, wall, opts, false, true); // g2 starts
    segment(ts, b, wall, opts, true, false); // g1 ends
    segment(ts, b, wall, opts, true, true);  // g2 resumes, yields
    segment(ts, b, wall, opts, true, false); // g2 ends
    exit(ts, a, wall);
    EXPECT_EQ(ts.graph.at(2).count, 2u);
    EXPECT_EQ(ts.graph.at(2).inflight, 0u);
    EXPECT_EQ(ts.graph.stats(2)[0].pending, 0);
}

TEST_F(ThreadState, SegmentsResumedUnderAnotherCallerCountThereWithTheirTime) {
    // Started under a (in flight there), resumed under c, where it yields and is dropped:
    // one call under each, each with its own time; no time is left uncounted.
    thread_state ts(0, wall);
    ts.enter(&a, wall, opts);
    segment(ts, b, wall, opts, false, true);
    exit(ts, a, wall);
    ts.enter(&c, wall, opts);
    segment(ts, b, wall, opts, true, true);
    exit(ts, c, wall);
    const uint32_t under_a = 2, under_c = 4;
    ASSERT_EQ(ts.graph.at(under_c).parent, 3u);
    const int64_t pending_c = ts.graph.stats(under_c)[0].pending;
    ASSERT_GT(pending_c, 0);
    EXPECT_EQ(ts.graph.at(under_c).inflight, 0u);
    call_graph copy = ts.graph;
    settle_in_flight(copy, wall);
    EXPECT_EQ(copy.at(under_a).count, 1u);
    EXPECT_EQ(copy.at(under_c).count, 1u);
    EXPECT_EQ(copy.stats(under_c)[0].sum, pending_c);
    EXPECT_EQ(copy.stats(under_c)[0].pending, 0);
}
