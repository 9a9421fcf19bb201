/* A plug-in that a host loads with dlopen and unloads with dlclose. Its site and the
 * strings the site points to are the library's static data: they are unmapped by
 * dlclose, long before the host's reports are written. Plain C, so that nothing in it
 * (a C++ unique symbol) keeps the library loaded after dlclose. */
#include <timemory/timemory.h>

static struct timemory_site s_plugin = {0,        TIMEMORY_LANG_C, "plugin_work",    "plugin_work",
                                        __FILE__, __LINE__,        TIMEMORY_SITE_ABI};

__attribute__((visibility("default"))) int plugin_work(int x) {
    timemory_enter(&s_plugin);
    volatile int r = 0;
    for (int i = 0; i < 1000; ++i)
        r += i * x;
    timemory_exit(&s_plugin);
    return r;
}
