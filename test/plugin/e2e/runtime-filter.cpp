// TIMEMORY_INCLUDE / TIMEMORY_EXCLUDE decide once per function at run time; an excluded
// function's callees attach to its caller.
// RUN: %tmcxx -O1 --timemory-min-instructions=0 %s -o %t.exe
// RUN: rm -rf %t.all && env TIMEMORY_OUTPUT_PATH=%t.all %t.exe
// RUN: %check-tree %t.all/latest/wall.tree.json 'main>wrapper(int)>kernel_a(int)=2' 'main>wrapper(int)>kernel_b(int)=2'
// RUN: rm -rf %t.exc && env TIMEMORY_OUTPUT_PATH=%t.exc TIMEMORY_EXCLUDE='^wrapper' %t.exe
// RUN: %check-tree %t.exc/latest/wall.tree.json '!main>wrapper(int)' 'main>kernel_a(int)=2' 'main>kernel_b(int)=2'
// RUN: rm -rf %t.inc && env TIMEMORY_OUTPUT_PATH=%t.inc TIMEMORY_INCLUDE='kernel_a|main' %t.exe
// RUN: %check-tree %t.inc/latest/wall.tree.json 'main>kernel_a(int)=2' '!main>kernel_b(int)' '!main>wrapper(int)'
// The mangled name matches too:
// RUN: rm -rf %t.mangled && env TIMEMORY_OUTPUT_PATH=%t.mangled TIMEMORY_EXCLUDE='^_Z8kernel_bi$' %t.exe
// RUN: %check-tree %t.mangled/latest/wall.tree.json 'main>wrapper(int)>kernel_a(int)=2' '!main>wrapper(int)>kernel_b(int)'
// A broken regex is reported and ignored; everything is measured.
// RUN: rm -rf %t.bad && env TIMEMORY_OUTPUT_PATH=%t.bad TIMEMORY_EXCLUDE='([' %t.exe 2> %t.bad.err
// RUN: FileCheck --check-prefix=BAD %s < %t.bad.err
// RUN: %check-tree %t.bad/latest/wall.tree.json 'main>wrapper(int)>kernel_b(int)=2'
// BAD: TIMEMORY_EXCLUDE: invalid value '([' (not a valid regular expression
#include <cstdio>

__attribute__((noinline)) int kernel_a(int x) { return x * 3; }
__attribute__((noinline)) int kernel_b(int x) { return x * 5; }
__attribute__((noinline)) int wrapper(int x) { return kernel_a(x) + kernel_b(x); }

int main() {
    volatile int s = wrapper(1) + wrapper(2);
    std::printf("%d\n", int(s));
    return 0;
}
