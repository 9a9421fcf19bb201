// What the test host programs (e2e/guest_app.cpp, omp/omp_app.cpp) share: sites of
// compiled functions as the Clang plugin emits them, and busy work of a set length.
#pragma once

#include <timemory/timemory.h>

#include <chrono>

namespace tmtest {

/// A static site of a C++ function `name`, placed at the caller's file and line.
inline timemory_site make_site(const char* name, const char* file = __builtin_FILE(),
                               unsigned line = __builtin_LINE()) {
    return timemory_site{0, TIMEMORY_LANG_CXX, name, name, file, line, TIMEMORY_SITE_ABI};
}

/// Busy work of about `ns` nanoseconds without floating point (a host program may have
/// enabled floating-point traps).
inline void spin_ns(long ns) {
    auto end = std::chrono::steady_clock::now() + std::chrono::nanoseconds(ns);
    while (std::chrono::steady_clock::now() < end) {
    }
}

} // namespace tmtest
