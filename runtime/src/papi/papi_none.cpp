// A build without PAPI: the PAPI components exist and say why they are unavailable.
#include <stdexcept>

#include "papi/papi.hpp"

namespace timemory::rt::papi {

namespace {
const char* const reason =
    "this build has no PAPI support (libpapi-dev was not found when it was configured)";
}

bool available(std::string* why) {
    if (why) *why = reason;
    return false;
}

std::vector<int> expand(const component&) {
    return {};
}

const std::vector<std::string>& events() {
    static const std::vector<std::string> none;
    return none;
}

void read(int64_t*) noexcept {}

void thread_exit() noexcept {}

std::vector<event_description> list_events() {
    return {};
}

std::vector<std::string> component_states() {
    return {};
}

counter_set::counter_set(const std::vector<std::string>&) {
    throw std::runtime_error(std::string("PAPI is unavailable: ") + reason);
}

counter_set::~counter_set() = default;

void counter_set::start() {}

void counter_set::stop() {}

} // namespace timemory::rt::papi
