// libtimemory-regex.so: RE2 behind a C interface. The runtime opens it only when a name
// filter (TIMEMORY_INCLUDE, TIMEMORY_EXCLUDE) is set, so other programs never map RE2.
// RE2 matches in time linear in the text with bounded stack and memory, whatever the
// pattern: a filter cannot stall or crash the program it measures.
#include <re2/re2.h>

#include <cstring>
#include <new>

#define TIMEMORY_REGEX_API extern "C" __attribute__((visibility("default")))

/// Compiles `pattern` (RE2 syntax: no backreferences or lookaround); nullptr on failure,
/// with the reason in `error` (at most n bytes, terminated).
TIMEMORY_REGEX_API void* timemory_regex_compile(const char* pattern, char* error, size_t n) {
    RE2::Options options;
    options.set_log_errors(false);   // the runtime stays quiet: the caller reports
    options.set_max_mem(8 << 20);    // a bound on the automaton, whatever the pattern
    auto* re = new (std::nothrow) RE2(pattern, options);
    if (re && re->ok()) return re;
    const char* why = re ? re->error().c_str() : "out of memory";
    if (n > 0) {
        std::strncpy(error, why, n - 1);
        error[n - 1] = '\0';
    }
    delete re;
    return nullptr;
}

/// 1 when `re` matches somewhere in `text`, else 0.
TIMEMORY_REGEX_API int timemory_regex_search(const void* re, const char* text) {
    return RE2::PartialMatch(text, *static_cast<const RE2*>(re)) ? 1 : 0;
}

TIMEMORY_REGEX_API void timemory_regex_free(void* re) {
    delete static_cast<RE2*>(re);
}
