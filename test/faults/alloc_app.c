/* A host that allocates nothing of its own: everything allocated while it runs is the
 * runtime's (and the C library's). It starts the runtime, records on two threads (new
 * nodes, new sites, named regions, a deep chain), stops the fault injection
 * (tm_fail_alloc_stop, when the shim is preloaded) and exits; its reports are
 * written at exit. */
#include <pthread.h>
#include <unistd.h>

#include <timemory/timemory.h>

/* From the LD_PRELOAD shim (fail_alloc.c), bound when the program loads: no dlsym, which
 * would allocate. */
extern void tm_fail_alloc_stop(void) __attribute__((weak));

#define SITE(var, name)                                                                            \
    static struct timemory_site var = {0,        TIMEMORY_LANG_C,  name, name, __FILE__,           \
                                       __LINE__, TIMEMORY_SITE_ABI}
SITE(s_main, "main");
SITE(s_work, "work");
SITE(s_leaf, "leaf");
SITE(s_thread, "thread_body");
SITE(s_deep, "deep");

static void deep(int n) {
    timemory_enter(&s_deep);
    if (n > 0) deep(n - 1);
    timemory_exit(&s_deep);
}

static void work(void) {
    timemory_enter(&s_work);
    for (int i = 0; i < 100; ++i) {
        timemory_enter(&s_leaf);
        timemory_exit(&s_leaf);
    }
    timemory_push_region("named region");
    deep(300);
    timemory_pop_region("named region");
    timemory_exit(&s_work);
}

static void* thread_body(void* arg) {
    (void)arg;
    timemory_enter(&s_thread);
    work();
    timemory_exit(&s_thread);
    return NULL;
}

int main(void) {
    timemory_enter(&s_main);
    work();
    pthread_t t;
    if (pthread_create(&t, NULL, thread_body, NULL) == 0) pthread_join(t, NULL);
    timemory_exit(&s_main);
    if (tm_fail_alloc_stop) tm_fail_alloc_stop();
    static const char done[] = "done\n";
    return write(1, done, sizeof(done) - 1) == (ssize_t)(sizeof(done) - 1) ? 0 : 3;
}
