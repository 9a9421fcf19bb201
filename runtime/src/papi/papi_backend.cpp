// PAPI as a backend: the object the runtime reaches it through (built with papi.cpp).
#include "backends/backend.hpp"
#include "papi/papi.hpp"

namespace timemory::rt {

std::vector<component> papi_components(); // papi_catalog.cpp

namespace {

void* open(const std::vector<std::string>& events) {
    return new papi::counter_set(events);
}
void close(void* s) noexcept {
    delete static_cast<papi::counter_set*>(s);
}
void start(void* s) {
    static_cast<papi::counter_set*>(s)->start();
}
void stop(void* s) {
    static_cast<papi::counter_set*>(s)->stop();
}
std::vector<long long> totals(const void* s) {
    return static_cast<const papi::counter_set*>(s)->totals();
}

std::vector<hardware_event> events() {
    std::vector<hardware_event> out;
    for (const auto& e : papi::list_events())
        out.push_back({e.name, e.description, e.component, e.available});
    return out;
}

// PAPI's components, then the kernel setting that also limits CPU counters (above 2:
// none for users other than root).
std::vector<std::string> states() {
    std::vector<std::string> out = papi::component_states();
    out.push_back("/proc/sys/kernel/perf_event_paranoid = " + papi::paranoid_level());
    return out;
}

std::vector<std::string> in_use() {
    return papi::events();
}

const counter_api counters{open, close, start, stop, totals, events, states, in_use};

} // namespace

extern const backend papi_backend{"papi",       papi_components, nullptr,           papi::available,
                                  papi::expand, papi::read,      papi::thread_exit, nullptr,
                                  &counters};

} // namespace timemory::rt
