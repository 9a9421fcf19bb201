// What a rank sends at MPI_Finalize: encode_snapshot() writes the call graph straight into
// the exchange form; it must decode to snapshot() with the rank set.
#include <gtest/gtest.h>

#include <cmath>

#include "timemory/timemory.h"
#include "timemory/timemory.hpp"

namespace {
void spin(int n) {
    volatile double x = 0;
    for (int i = 0; i < n; ++i)
        x = x + std::sqrt(double(i));
}
} // namespace

TEST(Codec, EncodedSnapshotDecodesToTheSnapshotWithItsRank) {
    timemory_push_region("outer");
    for (int i = 0; i < 3; ++i) {
        timemory_push_region("inner");
        spin(20000);
        timemory_pop_region("inner");
    }
    timemory_pop_region("outer");

    const timemory::result r = timemory::snapshot();
    const timemory::result d = timemory::decode(timemory::encode_snapshot(5));
    ASSERT_EQ(d.components.size(), r.components.size());
    ASSERT_EQ(d.nodes.size(), r.nodes.size());
    ASSERT_GE(r.nodes.size(), 2u);
    for (size_t i = 0; i < r.nodes.size(); ++i) {
        SCOPED_TRACE(r.nodes[i].name);
        const timemory::result_node &a = r.nodes[i], &b = d.nodes[i];
        EXPECT_EQ(b.name, a.name);
        EXPECT_EQ(b.parent, a.parent);
        EXPECT_EQ(b.children, a.children);
        EXPECT_EQ(b.count, a.count);
        EXPECT_EQ(b.rolling_hash, a.rolling_hash);
        EXPECT_EQ(b.pid, a.pid);
        EXPECT_EQ(b.rank, 5);
        // Two conversions a moment apart: the wall clock's tick rate may be refined between.
        for (size_t c = 0; c < a.inclusive.size(); ++c)
            EXPECT_NEAR(b.inclusive[c].sum, a.inclusive[c].sum,
                        1e-6 * std::fabs(a.inclusive[c].sum));
    }
    EXPECT_EQ(r.nodes[0].name, "outer");
    EXPECT_EQ(r.nodes[1].name, "inner");
    EXPECT_EQ(r.nodes[1].count, 3u);
    // The public encode of a result with the same ranks gives the same layout.
    timemory::result ranked = r;
    for (auto& n : ranked.nodes)
        n.rank = 5;
    EXPECT_EQ(timemory::decode(timemory::encode(ranked)).nodes.size(), d.nodes.size());
}
