#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "settings/settings.hpp"
#include "settings/units.hpp"

using namespace timemory::rt;

TEST(Settings, DefaultsComeFromTheDeclarations) {
    settings::values v = settings::defaults();
    EXPECT_TRUE(v.enabled);
    EXPECT_EQ(v.components, "wall_clock");
    EXPECT_EQ(v.max_depth, 65535);
    EXPECT_EQ(v.timing_units, "auto"); // per column in tables, sec in data files
    EXPECT_TRUE(v.collapse_threads);
    EXPECT_FALSE(v.flat_profile);
    EXPECT_EQ(v.output_path, "timemory-%p-output");
}

TEST(Settings, EveryRequiredSettingIsDeclared) {
    for (const char* n : {"ENABLED",
                          "AUTO_OUTPUT",
                          "COUT_OUTPUT",
                          "FILE_OUTPUT",
                          "TEXT_OUTPUT",
                          "JSON_OUTPUT",
                          "TREE_OUTPUT",
                          "FLAMEGRAPH_OUTPUT",
                          "OUTPUT_PATH",
                          "OUTPUT_PREFIX",
                          "TIME_OUTPUT",
                          "COMPONENTS",
                          "FLAT_PROFILE",
                          "TIMELINE_PROFILE",
                          "MAX_DEPTH",
                          "PRECISION",
                          "WIDTH",
                          "SCIENTIFIC",
                          "TIMING_UNITS",
                          "MEMORY_UNITS",
                          "COLLAPSE_THREADS",
                          "COLLAPSE_PROCESSES",
                          "VERBOSE",
                          "DEBUG",
                          "BANNER",
                          "ENABLE_SIGNAL_HANDLER",
                          "CONFIG_FILE"})
        EXPECT_GE(settings::find(n), 0) << n;
}

TEST(Settings, FindAcceptsPrefixCaseAndAliases) {
    int i = settings::find("flat_profile");
    EXPECT_GE(i, 0);
    EXPECT_EQ(settings::find("TIMEMORY_FLAT_PROFILE"), i);
    EXPECT_EQ(settings::find("Flat_Profile"), i);
    EXPECT_EQ(settings::find("GLOBAL_COMPONENTS"), settings::find("components"));
    EXPECT_EQ(settings::find("no_such_thing"), -1);
}

TEST(Settings, BooleansAcceptTheUsualSpellings) {
    bool b = false;
    for (const char* t : {"ON", "on", "true", "YES", "1", " On "}) {
        EXPECT_TRUE(settings::parse_bool(t, &b)) << t;
        EXPECT_TRUE(b) << t;
    }
    for (const char* f : {"OFF", "false", "no", "0"}) {
        EXPECT_TRUE(settings::parse_bool(f, &b)) << f;
        EXPECT_FALSE(b) << f;
    }
    EXPECT_FALSE(settings::parse_bool("maybe", &b));
    EXPECT_FALSE(settings::parse_bool("", &b));
}

TEST(Settings, BadValuesAreRejectedAndTheOldValueKept) {
    settings::values v = settings::defaults();
    std::string err;
    EXPECT_FALSE(settings::assign(v, settings::find("max_depth"), "12abc", &err));
    EXPECT_EQ(err, "expected an integer");
    EXPECT_FALSE(settings::assign(v, settings::find("max_depth"), "0", &err));
    EXPECT_EQ(err, "must be at least 1");
    EXPECT_FALSE(settings::assign(v, settings::find("max_depth"), "99999999999999999999", &err));
    EXPECT_EQ(v.max_depth, 65535);
    // Fits a long but not the 32-bit depth the hot path keeps: refused, not wrapped to 0.
    EXPECT_FALSE(settings::assign(v, settings::find("max_depth"), "4294967296", &err));
    EXPECT_EQ(err, "must be at most 4294967294");
    EXPECT_EQ(v.max_depth, 65535);
    EXPECT_FALSE(settings::assign(v, settings::find("throttle_count"), "4294967296", &err));
    EXPECT_FALSE(settings::assign(v, settings::find("json_indent"), "-1", &err));
    EXPECT_FALSE(settings::assign(v, settings::find("timing_units"), "parsec", &err));
    EXPECT_EQ(v.timing_units, "auto") << "a bad value keeps the previous one";
    EXPECT_TRUE(settings::assign(v, settings::find("timing_units"), "ms", &err));
    EXPECT_EQ(v.timing_units, "ms");
    EXPECT_FALSE(settings::assign(v, settings::find("precision"), "16", &err));
    EXPECT_FALSE(settings::assign(v, -1, "1", &err));
}

TEST(Settings, FormatRoundTripsEverySetting) {
    settings::values v = settings::defaults();
    const auto& d = settings::descriptors();
    for (size_t i = 0; i < d.size(); ++i) {
        settings::values w = settings::defaults();
        std::string text = settings::format(v, int(i));
        EXPECT_TRUE(settings::assign(w, int(i), text, nullptr)) << d[i].name << "=" << text;
        EXPECT_EQ(settings::format(w, int(i)), text);
    }
}

TEST(Settings, EnvironmentOverridesConfigFile) {
    std::string path = ::testing::TempDir() + "/settings_test.cfg";
    std::ofstream(path) << "max_depth = 5\nTIMEMORY_PRECISION=7\n# x = y\nverbose = -1\n";
    setenv("TIMEMORY_CONFIG_FILE", path.c_str(), 1);
    setenv("TIMEMORY_PRECISION", "2", 1);
    settings::values v = settings::defaults();
    settings::load(v);
    unsetenv("TIMEMORY_CONFIG_FILE");
    unsetenv("TIMEMORY_PRECISION");
    EXPECT_EQ(v.max_depth, 5);
    EXPECT_EQ(v.precision, 2);
    EXPECT_EQ(v.verbose, -1);
}

TEST(Settings, JsonConfigAcceptsFlatAndNestedObjects) {
    std::string path = ::testing::TempDir() + "/settings_test.json";
    std::ofstream(path) << R"({"flat_profile": true, "max_depth": 9, "components": ["a", "b"]})";
    settings::values v = settings::defaults();
    EXPECT_TRUE(settings::load_config_file(v, path));
    EXPECT_TRUE(v.flat_profile);
    EXPECT_EQ(v.max_depth, 9);
    EXPECT_EQ(v.components, "a,b");
}

TEST(Units, TimeAndMemoryUnits) {
    unit u;
    ASSERT_TRUE(find_timing_unit("MS", &u));
    EXPECT_EQ(u.name, "msec");
    EXPECT_DOUBLE_EQ(u.value, 1e6);
    ASSERT_TRUE(find_memory_unit("mib", &u));
    EXPECT_EQ(u.name, "MiB");
    EXPECT_DOUBLE_EQ(u.value, 1048576.0);
    EXPECT_FALSE(find_memory_unit("furlong", &u));
}

TEST(Settings, DocsReferenceMatchesTheDeclarations) {
    std::string cmd = std::string(TIMEMORY_AVAIL) + " --markdown";
    FILE* p = popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string generated;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
        generated.append(buf, n);
    ASSERT_EQ(pclose(p), 0);
    std::ifstream in(TIMEMORY_SETTINGS_DOC);
    std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(doc, generated)
        << "regenerate with: build/bin/timemory-avail --markdown > docs/settings.md";
}
