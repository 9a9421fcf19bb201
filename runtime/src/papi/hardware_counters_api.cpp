// timemory::hardware_counters and the PAPI queries of the public API (both builds: without
// PAPI they say why there is none).
#include <fstream>

#include "papi/papi.hpp"
#include "timemory/timemory.hpp"

namespace timemory::rt::papi {

// Here, not in papi.cpp: it needs no PAPI, and this file is built with or without it.
std::string paranoid_level() {
    std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
    std::string v;
    if (!(in >> v)) return "unreadable";
    return v;
}

} // namespace timemory::rt::papi

namespace timemory {

hardware_counters::hardware_counters(const std::vector<std::string>& events)
    : events_(events), impl_(new rt::papi::counter_set(events)) {}

hardware_counters::~hardware_counters() {
    delete static_cast<rt::papi::counter_set*>(impl_);
}

void hardware_counters::start() {
    static_cast<rt::papi::counter_set*>(impl_)->start();
}

void hardware_counters::stop() {
    static_cast<rt::papi::counter_set*>(impl_)->stop();
}

std::vector<long long> hardware_counters::values() const {
    return static_cast<rt::papi::counter_set*>(impl_)->totals();
}

bool hardware_counters_available(std::string* why) {
    return rt::papi::available(why);
}

std::vector<hardware_event> hardware_counter_events() {
    std::vector<hardware_event> out;
    for (const auto& e : rt::papi::list_events())
        out.push_back({e.name, e.description, e.component, e.available});
    return out;
}

std::vector<std::string> hardware_counter_components() {
    return rt::papi::component_states();
}

std::vector<std::string> hardware_counter_events_in_use() {
    return rt::papi::events();
}

} // namespace timemory
