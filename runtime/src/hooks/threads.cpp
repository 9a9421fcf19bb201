// Wraps pthread_create so a new thread knows which region its creator had open: at
// finalize its graph is merged under that node (TIMEMORY_COLLAPSE_THREADS).
#include <dlfcn.h>
#include <pthread.h>

#include "hooks/hooks.hpp"
#include "runtime/runtime.hpp"

namespace timemory::rt {

namespace {
struct start_info {
    void* (*fn)(void*);
    void* arg;
    int parent_thread;
    uint32_t parent_node;
};

thread_local int t_parent_thread = -1;
thread_local uint32_t t_parent_node = 0;

// Start records come from a fixed pool, so that the new thread takes its own without
// calling the allocator: under ThreadSanitizer (the program and the runtime built with
// -fsanitize=thread) thread_main runs before the sanitizer has set the thread up (its own
// start routine is `fn`), and may touch nothing the sanitizer intercepts or instruments.
// A creator that finds the pool full (256 threads created and not yet started) allocates.
constexpr size_t start_pool_size = 256;
start_info g_start_pool[start_pool_size];
bool g_start_used[start_pool_size]; // taken with __atomic builtins

start_info* take_start_info(const start_info& info) {
    for (size_t i = 0; i < start_pool_size; ++i) {
        bool expected = false;
        if (__atomic_compare_exchange_n(&g_start_used[i], &expected, true, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
            g_start_pool[i] = info;
            return &g_start_pool[i];
        }
    }
    return new start_info(info);
}

void give_back(start_info* p) {
    if (p >= g_start_pool && p < g_start_pool + start_pool_size)
        __atomic_store_n(&g_start_used[p - g_start_pool], false, __ATOMIC_RELEASE);
    else
        delete p;
}

// Not instrumented at all (clang also inserts function entry/exit hooks, which crash here).
#if defined(__clang__)
#define TIMEMORY_NOT_INSTRUMENTED __attribute__((disable_sanitizer_instrumentation))
#else
#define TIMEMORY_NOT_INSTRUMENTED __attribute__((no_sanitize("thread")))
#endif

TIMEMORY_NOT_INSTRUMENTED void* thread_main(void* p) {
    auto* slot = static_cast<start_info*>(p);
    const start_info info = *slot;
    if (slot >= g_start_pool && slot < g_start_pool + start_pool_size)
        __atomic_store_n(&g_start_used[slot - g_start_pool], false, __ATOMIC_RELEASE);
    else
        delete slot; // the pool was full: not sanitizer-safe, and rare
    t_parent_thread = info.parent_thread;
    t_parent_node = info.parent_node;
    return info.fn(info.arg);
}

using create_fn = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);

create_fn real_create() {
    static create_fn fn = reinterpret_cast<create_fn>(dlsym(RTLD_NEXT, "pthread_create"));
    return fn;
}
} // namespace

void pending_parent(int* thread, uint32_t* node) {
    if (t_parent_thread < 0) return;
    *thread = t_parent_thread;
    *node = t_parent_node;
}

namespace {
// The innermost recorded frame of `ts` (frames past max depth have no node).
uint32_t innermost_node(const thread_state* ts) {
    for (size_t i = ts->stack.size(); i > 0; --i)
        if (ts->stack[i - 1].node < detached_node) return ts->stack[i - 1].node;
    return 0;
}
} // namespace

} // namespace timemory::rt

using namespace timemory::rt;

extern "C" __attribute__((visibility("default"))) int
pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*fn)(void*), void* arg) {
    create_fn real = real_create();
    if (!real) return EAGAIN;
    thread_state* parent = t_state;
    if (!parent || rt_state().state.load() != int(run_state::running))
        return real(thread, attr, fn, arg);
    start_info* info = take_start_info({fn, arg, int(parent->index), innermost_node(parent)});
    int rc = real(thread, attr, thread_main, info);
    if (rc != 0) give_back(info);
    return rc;
}

extern "C" __attribute__((visibility("default"))) unsigned long long timemory_capture_parent(void) {
    thread_state* ts = t_state;
    if (!ts || rt_state().state.load() != int(run_state::running)) return 0;
    return ((unsigned long long)(ts->index + 1) << 32) | innermost_node(ts);
}

extern "C" __attribute__((visibility("default"))) void
timemory_adopt_parent(unsigned long long token) {
    if (token == 0 || t_state) return;
    t_parent_thread = int(token >> 32) - 1;
    t_parent_node = uint32_t(token & 0xffffffffu);
}
