// The registry of backends, and the calls the core makes on all of them.
#include "backends/backend.hpp"

#include <atomic>
#include <cstring>

namespace timemory::rt {

std::vector<const backend*>& backend_registry(); // generated: backend_list.cpp

namespace {
// The backend that reads the counter fields, once a group of its values was expanded.
std::atomic<const backend*> g_counter_owner{nullptr};
} // namespace

const std::vector<const backend*>& backends() {
    return backend_registry();
}

const backend* find_backend(const char* name) {
    if (!name) return nullptr;
    for (const backend* b : backend_registry())
        if (std::strcmp(b->name, name) == 0) return b;
    return nullptr;
}

void register_backend(const backend* b) {
    if (b && !find_backend(b->name)) backend_registry().push_back(b);
}

void backends_thread_exit() noexcept {
    for (const backend* b : backend_registry())
        if (!b->missing && b->thread_exit) b->thread_exit();
}

void backends_at_finalize() noexcept {
    for (const backend* b : backend_registry())
        if (!b->missing && b->at_finalize) b->at_finalize();
}

void claim_counters(const backend* b) noexcept {
    const backend* none = nullptr;
    g_counter_owner.compare_exchange_strong(none, b);
}

void backends_read(int64_t* counters) noexcept {
    const backend* b = g_counter_owner.load(std::memory_order_relaxed);
    if (b && b->read) b->read(counters);
}

} // namespace timemory::rt
