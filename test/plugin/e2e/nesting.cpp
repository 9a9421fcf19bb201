// Functions instrumented by the plugin nest as they call each other; counts are exact.
// RUN: %tmcxx -O2 --timemory-min-instructions=0 %s -o %t.exe
// RUN: rm -rf %t.out && env TIMEMORY_OUTPUT_PATH=%t.out TIMEMORY_TIMING_UNITS=sec %t.exe
// RUN: FileCheck %s < %t.out/latest/wall.txt
// RUN: %check-tree %t.out/latest/wall.tree.json 'main=1' 'main>outer(int)=2' 'main>outer(int)>inner(int)=6' \
// RUN:   'main@children=1' 'main>outer(int)>inner(int)@language=c++'
#include <cstdio>

__attribute__((noinline)) int inner(int x) { return x * 2 + 1; }
__attribute__((noinline)) int outer(int n) {
    int s = 0;
    for (int i = 0; i < 3; ++i) s += inner(n + i);
    return s;
}
int main() {
    volatile int total = outer(1) + outer(2);
    std::printf("%d\n", total);
    return 0;
}
// CHECK: | LABEL {{ *}}| COUNT | DEPTH | METRIC | UNITS | SUM {{ *}}| MEAN {{ *}}| MIN {{ *}}| MAX {{ *}}| STDDEV | % SELF |
// CHECK: | |0>>> main {{ *}}| {{ *}}1 | {{ *}}0 | wall {{ *}}| sec
// CHECK: | |0>>> |_outer(int) {{ *}}| {{ *}}2 | {{ *}}1 | wall
// CHECK: | |0>>>   |_inner(int) {{ *}}| {{ *}}6 | {{ *}}2 | wall
