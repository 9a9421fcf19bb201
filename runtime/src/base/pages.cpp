#include "base/pages.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include "base/host_state.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define TIMEMORY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TIMEMORY_ASAN 1
#endif
#endif
#ifdef TIMEMORY_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
#endif

namespace timemory::rt {

namespace {
#ifdef TIMEMORY_ASAN
size_t rounded(size_t bytes) {
    const size_t page = size_t(getpagesize());
    return (bytes + page - 1) / page * page;
}
#endif
} // namespace

void* pages_alloc(size_t bytes) noexcept {
    if (bytes == 0) bytes = 1;
    errno_guard keep_errno;
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return nullptr;
#ifdef TIMEMORY_ASAN
    ASAN_POISON_MEMORY_REGION(static_cast<char*>(p) + bytes, rounded(bytes) - bytes);
    // LeakSanitizer does not look into memory mapped by the program: heap blocks held only
    // from here (a thread's map of OpenMP anchors) would be reported as leaks.
    __lsan_register_root_region(p, bytes);
#endif
    return p;
}

void pages_free(void* p, size_t bytes) noexcept {
    if (!p) return;
    if (bytes == 0) bytes = 1;
#ifdef TIMEMORY_ASAN
    // Shadow memory outlives the mapping: a later mapping at this address must not find it
    // poisoned.
    ASAN_UNPOISON_MEMORY_REGION(p, rounded(bytes));
    __lsan_unregister_root_region(p, bytes);
#endif
    errno_guard keep_errno;
    munmap(p, bytes);
}

void* page_arena::allocate(size_t bytes) noexcept {
    constexpr size_t block = 64 * 1024;
    bytes = (bytes + 15) / 16 * 16;
    if (bytes > left_) {
        const size_t size = bytes > block / 4 ? bytes : block;
        void* p = pages_alloc(size);
        if (!p) return nullptr;
        if (size > block / 4 && left_ > 0) return p; // a large piece of its own; keep the block
        next_ = static_cast<char*>(p);
        left_ = size;
    }
    void* out = next_;
    next_ += bytes;
    left_ -= bytes;
    return out;
}

} // namespace timemory::rt
