// libFuzzer: name filters (TIMEMORY_INCLUDE/EXCLUDE). Input: a pattern, a NUL byte, a name.
// Any pattern compiles or is refused by name; matching is linear in time (RE2) and never
// overflows the stack, whatever the pattern and the name.
#include <cstdint>
#include <cstring>
#include <string>

#include "base/regex.hpp"

using namespace timemory::rt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const char* begin = reinterpret_cast<const char*>(data);
    const char* nul = static_cast<const char*>(std::memchr(begin, 0, size));
    const std::string pattern(begin, nul ? nul : begin + size);
    const std::string name = nul ? std::string(nul + 1, begin + size) : std::string("main");
    std::string err;
    auto filter = name_filter::compile(pattern, &err);
    if (!filter && err.empty()) __builtin_trap(); // a refusal always says why
    if (filter) filter->search(name.c_str());
    return 0;
}
