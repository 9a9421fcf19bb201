// An instrumented shared library.
#include "libwork.h"

__attribute__((noinline)) static int lib_inner(int x) {
    volatile int s = 0;
    for (int i = 0; i < x; ++i) s += i;
    return s;
}

int lib_entry(int x) { return lib_inner(x) + lib_inner(x + 1); }
