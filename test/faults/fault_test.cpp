// Memory that runs out at any moment never ends the host: every allocation the process
// makes while the runtime starts and records (malloc and friends, and the anonymous
// mappings the runtime records into) is failed in turn, one per run, by an LD_PRELOAD shim
// (fail_alloc.c); the host (alloc_app.c) must finish with its own output and status every
// time, and the calls lost for want of memory are counted in metadata.json.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "../common/sanitizers.hpp"
#include "../e2e/harness.hpp"

using namespace e2e;

namespace {

const std::string app = TIMEMORY_ALLOC_APP;
const std::string shim = TIMEMORY_FAIL_ALLOC_SHIM;

run_result run_failing(const std::string& which, unsigned long k, const fs::path& count = {}) {
    std::map<std::string, std::string> env{
        {"LD_PRELOAD", shim}, {"TIMEMORY_OUTPUT_PATH", "out"}, {"TIMEMORY_JSON_INDENT", "1"}};
    if (k) env[which] = std::to_string(k);
    if (!count.empty()) env["TM_FAIL_ALLOC_COUNT"] = count.string();
    return run("fail-alloc", {app}, env);
}

struct counts {
    unsigned long allocations = 0, mappings = 0;
};

// How many allocations and anonymous mappings a run makes until it stops recording.
counts reference_counts() {
    const fs::path file =
        fs::temp_directory_path() / ("timemory-fail-alloc-count-" + std::to_string(getpid()));
    auto r = run_failing("", 0, file);
    EXPECT_EQ(r.exit_code(), 0) << r.err;
    counts c;
    std::ifstream(file) >> c.allocations >> c.mappings;
    fs::remove(file);
    return c;
}

// Fails the k-th of `which` for every k up to `n`: the host must finish as it does
// unharmed. Returns how many runs reported calls lost for want of memory.
int fail_each(const std::string& which, unsigned long n) {
    int counted = 0;
    for (unsigned long k = 1; k <= n; ++k) {
        auto r = run_failing(which, k);
        EXPECT_EQ(r.signal(), 0) << which << "=" << k << ": " << r.err;
        EXPECT_EQ(r.exit_code(), 0) << which << "=" << k << ": " << r.err;
        EXPECT_EQ(r.out, "done\n") << which << "=" << k << ": " << r.err;
        EXPECT_EQ(r.err.find("terminate"), std::string::npos) << which << "=" << k;
        const fs::path meta = r.dir / "out/latest/metadata.json";
        if (!fs::exists(meta)) {
            // Not started (no memory to start): one line says so.
            EXPECT_NE(r.err.find("no memory to start timemory: this process is not measured"),
                      std::string::npos)
                << which << "=" << k << ": " << r.err;
            continue;
        }
        const json f = load_json(meta)["timemory"]["failures"];
        const uint64_t lost =
            f["not_recorded_no_memory"].get<uint64_t>() + f["unnamed_no_memory"].get<uint64_t>();
        if (lost > 0) {
            ++counted;
            EXPECT_NE(r.err.find("the process had no memory left"), std::string::npos)
                << which << "=" << k << ": " << r.err;
        }
        if (testing::Test::HasFailure()) return counted;
    }
    return counted;
}

} // namespace

TEST(Faults, FailingAnyAllocationDuringStartUpAndRecordingNeverEndsTheHost) {
    if (tmtest::sanitizer)
        GTEST_SKIP() << tmtest::sanitizer << " replaces malloc itself: the shim cannot";
    const counts c = reference_counts();
    ASSERT_GT(c.allocations, 50u);
    ASSERT_GT(c.mappings, 10u);
    // Before: std::terminate (the no-throw start-up had no handler) for 181 of the 197.
    fail_each("TM_FAIL_ALLOC_AT", c.allocations);
    // The runtime records into mappings of its own (base/pages.hpp): when one cannot be
    // made, the host goes on and the calls that could not be recorded are counted (a
    // thread's state, a node, a site's copy).
    EXPECT_GT(fail_each("TM_FAIL_MMAP_AT", c.mappings), 10);
}
