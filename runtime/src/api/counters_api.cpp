// timemory::hardware_counters and the counter queries of the public API, served by the
// first backend that counts (PAPI in this tree); without one they say why there is none.
#include <stdexcept>

#include "backends/backend.hpp"
#include "timemory/timemory.hpp"

namespace timemory {

namespace {

const rt::backend* counting_backend() {
    for (const rt::backend* b : rt::backends())
        if (!b->missing && b->counters) return b;
    return nullptr;
}

// Why no backend counts: the reasons of the missing backends that would have counted
// (their components are counts).
std::string why_none() {
    std::string why = "this build has no backend for hardware counters";
    for (const rt::backend* b : rt::backends()) {
        if (!b->missing) continue;
        bool counts = false;
        for (const rt::component& c : b->components())
            counts = counts || c.units == rt::unit_kind::count;
        if (counts) why += std::string("; ") + b->name + ": " + b->missing;
    }
    return why;
}

const rt::counter_api& api_of(void* impl) {
    if (!impl) throw std::runtime_error("hardware counters are unavailable");
    return *counting_backend()->counters;
}

} // namespace

hardware_counters::hardware_counters(const std::vector<std::string>& events) : events_(events) {
    const rt::backend* b = counting_backend();
    if (!b) throw std::runtime_error("hardware counters are unavailable: " + why_none());
    impl_ = b->counters->open(events);
}

hardware_counters::~hardware_counters() {
    if (impl_) api_of(impl_).close(impl_);
}

void hardware_counters::start() {
    api_of(impl_).start(impl_);
}

void hardware_counters::stop() {
    api_of(impl_).stop(impl_);
}

std::vector<long long> hardware_counters::values() const {
    return api_of(impl_).totals(impl_);
}

bool hardware_counters_available(std::string* why) {
    const rt::backend* b = counting_backend();
    if (!b) {
        if (why) *why = why_none();
        return false;
    }
    return b->available(why);
}

std::vector<hardware_event> hardware_counter_events() {
    const rt::backend* b = counting_backend();
    return b && b->available(nullptr) ? b->counters->events() : std::vector<hardware_event>{};
}

std::vector<std::string> hardware_counter_components() {
    const rt::backend* b = counting_backend();
    return b && b->available(nullptr) ? b->counters->states() : std::vector<std::string>{};
}

std::vector<std::string> hardware_counter_events_in_use() {
    const rt::backend* b = counting_backend();
    return b ? b->counters->in_use() : std::vector<std::string>{};
}

} // namespace timemory
