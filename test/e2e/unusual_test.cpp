// Unusual but legitimate host programs are never harmed (test/e2e/unusual_app.cpp): a
// measured library unloaded before exit, fork while the runtime starts, calls from signal
// handlers, quick_exit and exec.
#include <gtest/gtest.h>

#include "harness.hpp"

using namespace e2e;

namespace {

const std::string app = TIMEMORY_UNUSUAL_APP;
const std::string plugin_lib = TIMEMORY_UNLOADABLE_LIB;

run_result run_unusual(const std::string& name, const std::vector<std::string>& args,
                       std::map<std::string, std::string> env = {}) {
    env.emplace("TIMEMORY_OUTPUT_PATH", "out");
    std::vector<std::string> argv{app};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(name, argv, env);
}

} // namespace

TEST(Unusual, ALibraryUnloadedBeforeExitKeepsItsMeasurementsAndTheProgramsExit) {
    for (int k = 0; k < 5; ++k) {
        auto r = run_unusual("dlclose", {"dlclose", plugin_lib});
        ASSERT_EQ(r.signal(), 0) << r.err;
        ASSERT_EQ(r.exit_code(), 3) << r.err;
        EXPECT_EQ(r.out, "unusual: buffered output of the program");
        const json main = *child(tree_root(r.dir / "out/latest/wall.tree.json", "wall_clock"), "main");
        const json* work = child(main, "plugin_work");
        ASSERT_NE(work, nullptr) << main["children"].size() << " children of main";
        EXPECT_EQ(laps(work), 3u);
        EXPECT_NE((*work)["node"]["file"].get<std::string>().find("unloadable_lib.c"),
                  std::string::npos)
            << (*work)["node"]["file"];
    }
}

TEST(Unusual, ALibraryLoadedAgainAddsToItsOneNode) {
    auto r = run_unusual("reload", {"reload", plugin_lib, "1000"});
    ASSERT_EQ(r.signal(), 0) << r.err;
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    const json main = *child(tree_root(r.dir / "out/latest/wall.tree.json", "wall_clock"), "main");
    ASSERT_EQ(main["children"].size(), 1u) << "one node for every load of the library";
    EXPECT_EQ(laps(child(main, "plugin_work")), 1000u);
}

TEST(Unusual, ForkWhileAnotherThreadStartsTheRuntimeNeverHangsTheChild) {
    // The fork lands inside the runtime's start-up (settings, clock calibration) in most
    // runs; each run is one start-up.
    int hung = 0, runs = 30;
    std::string first;
    for (int k = 0; k < runs; ++k) {
        auto r = run_unusual("fork-at-start", {"fork-at-start"});
        const bool ok = r.exit_code() == 0 && r.out == "child ok\n";
        if (!ok && first.empty()) first = r.out + r.err;
        hung += !ok;
    }
    EXPECT_EQ(hung, 0) << first;
}
