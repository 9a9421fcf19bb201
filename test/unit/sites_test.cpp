// timemory_intern_site: the one place sites are made at run time.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "runtime/runtime.hpp"
#include "timemory/timemory.h"

using namespace timemory::rt;

TEST(Sites, OneSitePerNameLinkageFileLineAndLanguage) {
    char name[32] = "solve";
    timemory_site* a = timemory_intern_site(name, "_Z5solvev", "a.cpp", 12, TIMEMORY_LANG_CXX);
    std::strcpy(name, "other"); // the site keeps its own copy
    EXPECT_STREQ(a->name, "solve");
    EXPECT_STREQ(a->linkage, "_Z5solvev");
    EXPECT_STREQ(a->file, "a.cpp");
    EXPECT_EQ(a->line, 12u);
    EXPECT_EQ(a->flags & TIMEMORY_SITE_LANG_MASK, uint32_t(TIMEMORY_LANG_CXX));
    EXPECT_EQ(a->abi, uint32_t(TIMEMORY_SITE_ABI));
    EXPECT_EQ(timemory_intern_site("solve", "_Z5solvev", "a.cpp", 12, TIMEMORY_LANG_CXX), a);
    // Any difference is another site.
    EXPECT_NE(timemory_intern_site("solve", "_Z5solvev", "a.cpp", 13, TIMEMORY_LANG_CXX), a);
    EXPECT_NE(timemory_intern_site("solve", "_Z5solvev", "b.cpp", 12, TIMEMORY_LANG_CXX), a);
    EXPECT_NE(timemory_intern_site("solve", "_Z5solvei", "a.cpp", 12, TIMEMORY_LANG_CXX), a);
    EXPECT_NE(timemory_intern_site("solve", "_Z5solvev", "a.cpp", 12, TIMEMORY_LANG_C), a);
}

TEST(Sites, NullsMeanTheNameAndNoFileAndRegionsShareTheTable) {
    timemory_site* s = timemory_intern_site("phase", nullptr, nullptr, 0, TIMEMORY_LANG_REGION);
    EXPECT_EQ(s->linkage, s->name) << "linkage NULL: the name itself";
    EXPECT_STREQ(s->file, "");
    EXPECT_EQ(region_site("phase"), s) << "timemory_push_region(\"phase\") uses the same site";
    EXPECT_STREQ(timemory_intern_site(nullptr, nullptr, nullptr, 0, 0)->name, "<null>");
}

TEST(Sites, ConcurrentProducersGetOneSiteEach) {
    std::vector<timemory_site*> got(8 * 200);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([t, &got] {
            for (int i = 0; i < 200; ++i) {
                const std::string n = "f" + std::to_string(i);
                got[size_t(t * 200 + i)] = timemory_intern_site(n.c_str(), nullptr, "x.py",
                                                                unsigned(i), TIMEMORY_LANG_PYTHON);
            }
        });
    for (auto& th : threads)
        th.join();
    for (int t = 1; t < 8; ++t)
        for (int i = 0; i < 200; ++i)
            ASSERT_EQ(got[size_t(t * 200 + i)], got[size_t(i)]) << t << " " << i;
}
