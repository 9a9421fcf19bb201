#include "base/regex.hpp"

#include <dlfcn.h>

#include <mutex>

namespace timemory::rt {

namespace {

struct library {
    void* (*compile)(const char*, char*, size_t) = nullptr;
    int (*search)(const void*, const char*) = nullptr;
    void (*release)(void*) = nullptr;
    std::string error;
};

// Next to the runtime itself (the install and the build tree keep them together), else the
// build tree's, else the loader's search path.
const library& load() {
    static library lib;
    static std::once_flag once;
    std::call_once(once, [] {
        std::string here;
        Dl_info info;
        if (dladdr(reinterpret_cast<void*>(&load), &info) && info.dli_fname) {
            here = info.dli_fname;
            here = here.substr(0, here.find_last_of('/') + 1);
        }
        void* h = nullptr;
        for (const std::string& name :
             {here + "libtimemory-regex.so", std::string(TIMEMORY_REGEX_LIBRARY),
              std::string("libtimemory-regex.so")}) {
            if ((h = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL))) break;
        }
        if (!h) {
            const char* e = dlerror();
            lib.error =
                std::string("cannot load libtimemory-regex.so (RE2): ") + (e ? e : "not found");
            return;
        }
        lib.compile = reinterpret_cast<decltype(lib.compile)>(dlsym(h, "timemory_regex_compile"));
        lib.search = reinterpret_cast<decltype(lib.search)>(dlsym(h, "timemory_regex_search"));
        lib.release = reinterpret_cast<decltype(lib.release)>(dlsym(h, "timemory_regex_free"));
        if (!lib.compile || !lib.search || !lib.release) {
            lib.error = "libtimemory-regex.so lacks its functions";
            lib.compile = nullptr;
        }
    });
    return lib;
}

} // namespace

std::unique_ptr<name_filter> name_filter::compile(const std::string& pattern, std::string* error) {
    const library& lib = load();
    if (!lib.compile) {
        if (error) *error = lib.error;
        return nullptr;
    }
    char why[256] = {};
    void* re = lib.compile(pattern.c_str(), why, sizeof(why));
    if (!re) {
        if (error) *error = std::string("not a valid regular expression (RE2 syntax): ") + why;
        return nullptr;
    }
    return std::unique_ptr<name_filter>(new name_filter(re));
}

name_filter::~name_filter() {
    load().release(re_);
}

bool name_filter::search(const char* text) const noexcept {
    return load().search(re_, text) != 0;
}

} // namespace timemory::rt
