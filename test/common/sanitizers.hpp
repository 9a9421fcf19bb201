// Which sanitizer the test programs were built with (the whole build shares it:
// TIMEMORY_SANITIZE), for the few checks a sanitizer's own machinery changes.
#pragma once

#include <cstdlib>
#include <map>
#include <string>

namespace tmtest {

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TMTEST_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define TMTEST_TSAN 1
#endif
#endif

#ifdef TMTEST_ASAN
inline constexpr const char* sanitizer = "AddressSanitizer";
#elif defined(TMTEST_TSAN)
inline constexpr const char* sanitizer = "ThreadSanitizer";
#else
inline constexpr const char* sanitizer = nullptr;
#endif

/// The environment for a program that must take SIGSEGV itself: ASan and TSan have a
/// handler of their own that reports the fault and exits 1 before the program's handler
/// or the signal's default action could run. Adds to the options the caller already has.
inline std::map<std::string, std::string> without_sanitizer_segv_handler(
    std::map<std::string, std::string> env = {}) {
    for (const char* var : {"ASAN_OPTIONS", "TSAN_OPTIONS"}) {
        const char* now = std::getenv(var);
        env[var] = std::string(now && *now ? std::string(now) + ":" : "") + "handle_segv=0";
    }
    return env;
}

} // namespace tmtest
