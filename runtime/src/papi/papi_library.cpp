#include "papi/papi_library.hpp"

#include <dlfcn.h>

#include <mutex>

namespace timemory::rt::papi {

const library* load_library(std::string* why) {
    static std::once_flag once;
    static library lib;
    static bool ok = false;
    static std::string error;
    std::call_once(once, [] {
        // The library found at build time first, then its usual names.
        void* h = nullptr;
        for (const char* name : {TIMEMORY_PAPI_LIBRARY, "libpapi.so.7.0", "libpapi.so.7",
                                 "libpapi.so"}) {
            // RTLD_GLOBAL: as if linked; PAPI's components look symbols up in the process.
            if ((h = dlopen(name, RTLD_NOW | RTLD_GLOBAL))) break;
        }
        if (!h) {
            const char* e = dlerror();
            error = std::string("cannot load libpapi: ") + (e ? e : "not found");
            return;
        }
#define TIMEMORY_PAPI_RESOLVE(name)                                                                \
    lib.name = reinterpret_cast<decltype(lib.name)>(dlsym(h, "PAPI_" #name));                   \
    if (!lib.name) {                                                                               \
        error = "libpapi lacks PAPI_" #name;                                                       \
        return;                                                                                    \
    }
        TIMEMORY_PAPI_FUNCTIONS(TIMEMORY_PAPI_RESOLVE)
#undef TIMEMORY_PAPI_RESOLVE
        ok = true;
    });
    if (!ok && why) *why = error;
    return ok ? &lib : nullptr;
}

} // namespace timemory::rt::papi
