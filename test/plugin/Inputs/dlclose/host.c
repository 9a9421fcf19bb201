/* Opens the plug-in given as argv[1] `argv[2]` times, calls it once each time and closes it
 * every time but the last; prints a line without a newline (stdout is still buffered when
 * the program exits). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) int load_and_call(const char* path, int keep) {
    void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) return -1;
    int (*entry)(int) = (int (*)(int))dlsym(h, "plugin_entry");
    int r = entry ? entry(3) : -1;
    if (!keep) dlclose(h);
    return r;
}

int main(int argc, char** argv) {
    int n = argc > 2 ? atoi(argv[2]) : 1;
    for (int i = 0; i < n; ++i)
        if (load_and_call(argv[1], i == n - 1 && n > 1) < 0) return 2;
    printf("host done");
    return 0;
}
