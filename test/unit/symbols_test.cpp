// Names of code addresses: exported functions, and static ones through the file's .symtab.
#include <gtest/gtest.h>

#include "base/symbols.hpp"

using namespace timemory::rt;

namespace {
__attribute__((noinline)) int hidden_helper(int x) {
    return x * 3 + 1;
}
} // namespace

__attribute__((noinline)) int exported_helper(int x) {
    return hidden_helper(x) + 2;
}

TEST(Symbols, FunctionsAreNamedFromEitherSymbolTable) {
    const char* inside = reinterpret_cast<const char*>(&hidden_helper) + 1;
    std::string module;
    size_t offset = 0;
    EXPECT_EQ(function_at(inside, &module, &offset), "(anonymous namespace)::hidden_helper(int)");
    EXPECT_FALSE(module.empty());
    EXPECT_GT(offset, 0u);
    EXPECT_EQ(function_at(reinterpret_cast<const void*>(&exported_helper)), "exported_helper(int)");
    // Not code of any module: no name, no crash.
    int local = 0;
    EXPECT_EQ(function_at(&local), "");
    EXPECT_EQ(function_at(nullptr), "");
}

TEST(Symbols, DemangleLeavesPlainNamesAlone) {
    EXPECT_EQ(demangle("_Z4stepv"), "step()");
    EXPECT_EQ(demangle("main"), "main");
}
