// Coroutines on ucontext (makecontext/swapcontext). A thread has one shadow stack, but the
// frames a coroutine opens are its own: when it switches away they are suspended (their
// time so far kept, not counted as calls: timemory_suspend), and when a context switches
// to it again they are resumed on top of that context's frames (timemory_resume), where
// its work then runs. The model is the generator's: a coroutine's frames nest under the
// frames of whoever resumed it, and the thread's own context is never suspended.
//
// A coroutine is known by its stack (the uc_stack its context was made with): the context
// running now is the coroutine whose stack holds the stack pointer, else the thread's own.
// So a coroutine that ends through uc_link (a jump glibc makes without swapcontext) needs
// no bookkeeping: its frames have all exited, and the next switch happens on another stack.
// Not followed: contexts that move between threads, setcontext without swapcontext
// (control is not coming back), and stack switches by other means (Boost.Context's
// assembly). A coroutine abandoned while it had frames open leaves them with its stack: a
// new coroutine made on the same stack resumes them (the one case where a tree is wrong;
// telling a new context from a resumed one would take wrapping makecontext).
#include <dlfcn.h>
#include <ucontext.h>

#include <cerrno>
#include <new>

#include "base/pages.hpp"
#include "runtime/runtime.hpp"

namespace timemory::rt {

namespace {

using swap_fn = int (*)(ucontext_t*, const ucontext_t*);
swap_fn g_swap = nullptr;

__attribute__((constructor)) void resolve_swapcontext() {
    g_swap = reinterpret_cast<swap_fn>(dlsym(RTLD_NEXT, "swapcontext"));
}

struct coroutine {
    const char* stack = nullptr; ///< its uc_stack
    size_t size = 0;
    size_t base = 0;                   ///< depth of the shadow stack where its frames begin
    page_vector<timemory_site*> saved; ///< frames open when it switched away, outermost first
};

// The coroutines this thread has run (pages: a switch may come at any moment). Never
// freed: a handful per thread.
__thread page_vector<coroutine>* t_coroutines __attribute__((tls_model("initial-exec"))) = nullptr;

page_vector<coroutine>* coroutines() {
    if (!t_coroutines) {
        void* p = pages_alloc(sizeof(page_vector<coroutine>));
        if (!p) return nullptr;
        t_coroutines = new (p) page_vector<coroutine>();
    }
    return t_coroutines;
}

coroutine* holding(page_vector<coroutine>& list, const char* address) {
    for (coroutine& c : list)
        if (address >= c.stack && address < c.stack + c.size) return &c;
    return nullptr;
}

// Suspends the frames of the context running now, when it is a coroutine.
void leave(thread_state* ts, page_vector<coroutine>& list) {
    coroutine* cur = holding(list, static_cast<const char*>(__builtin_frame_address(0)));
    if (!cur) return; // the thread's own context: its frames stay open under the others
    cur->saved.clear();
    if (ts->stack.size() > cur->base) reserve_more(cur->saved, ts->stack.size() - cur->base);
    for (size_t i = cur->base; i < ts->stack.size(); ++i)
        cur->saved.push_back(ts->stack[i].site);
    while (ts->stack.size() > cur->base) {
        const size_t before = ts->stack.size();
        timemory_suspend(ts->stack.back().site);
        if (ts->stack.size() == before) break; // not running any more
    }
}

// Resumes the frames of `to` on top of the shadow stack, when it is a coroutine.
void enter(thread_state* ts, page_vector<coroutine>& list, const ucontext_t* to) {
    const auto* stack = static_cast<const char*>(to->uc_stack.ss_sp);
    if (!stack || to->uc_stack.ss_size == 0) return; // the thread's own context
    coroutine* c = nullptr;
    for (coroutine& k : list)
        if (k.stack == stack) c = &k;
    if (!c) {
        list.push_back(coroutine{});
        c = &list.back();
        c->stack = stack;
    }
    c->size = to->uc_stack.ss_size;
    c->base = ts->stack.size();
    for (timemory_site* s : c->saved)
        timemory_resume(s);
    c->saved.clear();
}

} // namespace

} // namespace timemory::rt

using namespace timemory::rt;

extern "C" __attribute__((visibility("default"))) int swapcontext(ucontext_t* oucp,
                                                                  const ucontext_t* ucp) {
    thread_state* ts = t_state;
    if (ts && ucp && rt_state().state.load() == int(run_state::running)) {
        try {
            if (page_vector<coroutine>* list = coroutines()) {
                reserve_more(*list, 1);
                leave(ts, *list);
                enter(ts, *list, ucp);
            }
        } catch (...) {
            // No memory to keep a coroutine's frames: they nest as they are, counted right.
        }
    }
    if (!g_swap) {
        errno = ENOSYS;
        return -1;
    }
    return g_swap(oucp, ucp);
}
