#include "libwork.h"

#include <cstdio>

__attribute__((noinline)) int exe_side(int x) { return lib_entry(x) + 1; }

int main() {
    int t = 0;
    for (int i = 0; i < 3; ++i) t += exe_side(10 + i);
    std::printf("%d\n", t);
    return 0;
}
