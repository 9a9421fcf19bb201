// libpapi, opened the first time a PAPI component or the hardware-counter API is used:
// programs that ask for none never map libpapi or libpfm.
#pragma once

#include <papi.h>

#include <string>

namespace timemory::rt::papi {

// Every PAPI function the runtime calls, declared once.
#define TIMEMORY_PAPI_FUNCTIONS(X)                                                                 \
    X(library_init)                                                                                \
    X(thread_init)                                                                                 \
    X(unregister_thread)                                                                           \
    X(multiplex_init)                                                                              \
    X(set_multiplex)                                                                               \
    X(strerror)                                                                                    \
    X(num_hwctrs)                                                                                  \
    X(num_components)                                                                              \
    X(get_component_info)                                                                          \
    X(get_event_component)                                                                         \
    X(get_eventset_component)                                                                      \
    X(get_event_info)                                                                              \
    X(event_name_to_code)                                                                          \
    X(query_event)                                                                                 \
    X(enum_event)                                                                                  \
    X(enum_cmp_event)                                                                              \
    X(create_eventset)                                                                             \
    X(assign_eventset_component)                                                                   \
    X(add_event)                                                                                   \
    X(add_events)                                                                                  \
    X(cleanup_eventset)                                                                            \
    X(destroy_eventset)                                                                            \
    X(start)                                                                                       \
    X(stop)                                                                                        \
    X(read)

/// Pointers to the functions of the loaded libpapi (PAPI_<name> becomes <name>).
struct library {
#define TIMEMORY_PAPI_POINTER(name) decltype(&PAPI_##name) name = nullptr;
    TIMEMORY_PAPI_FUNCTIONS(TIMEMORY_PAPI_POINTER)
#undef TIMEMORY_PAPI_POINTER
};

/// Opens libpapi once (thread-safe) and returns its functions, or nullptr with `why` set
/// (the library is missing, or lacks a function).
const library* load_library(std::string* why);

} // namespace timemory::rt::papi
