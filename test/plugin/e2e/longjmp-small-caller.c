// The Lua pattern: errors raised with longjmp back to a small protected-call function
// (setjmp, a call, a few instructions: under the default size rule), half the calls
// failing. The setjmp caller is instrumented whatever its size, so each longjmp closes the
// frames it skipped where setjmp returns: the tree stays 1 + 1 + 6 deep, with exact
// counts. (Before: no hook in the caller, the frames of every failed call stayed open and
// each next call nested under them, 500 levels deeper at the end.)
// RUN: %tmcc -O1 %s -o %t.exe
// RUN: rm -rf %t.out && env TIMEMORY_OUTPUT_PATH=%t.out %t.exe | FileCheck %s
// CHECK: failed 500 of 1000
// RUN: %check-tree %t.out/latest/wall.tree.json 'main>protected_call=1000' \
// RUN:   'main>protected_call>level=1000' 'main>protected_call>level>level>level>level>level>level=1000' \
// RUN:   '!main>protected_call>level>level>level>level>level>level>level' \
// RUN:   'main>protected_call@children=1'
#include <setjmp.h>
#include <stdio.h>

static jmp_buf jb;
static volatile int sink;

#define R10(x) x x x x x x x x x x
// Large enough for the default size rule (a thousand volatile additions).
__attribute__((noinline)) void level(int d, int fail) {
    R10(R10(R10(sink += d;)))
    if (d > 0)
        level(d - 1, fail);
    else if (fail)
        longjmp(jb, 1);
    sink += 1; // not a tail call: each level keeps its frame
}

__attribute__((noinline)) int protected_call(int fail) {
    if (setjmp(jb) == 0) {
        level(5, fail);
        return 0;
    }
    return 1;
}

int main(void) {
    int failed = 0;
    for (int i = 0; i < 1000; ++i)
        failed += protected_call(i % 2);
    printf("failed %d of 1000\n", failed);
    return 0;
}
