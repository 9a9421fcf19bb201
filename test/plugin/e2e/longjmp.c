// longjmp over instrumented frames: they are closed when setjmp returns the second time.
// RUN: %tmcc -O1 --timemory-min-instructions=0 %s -o %t.exe
// RUN: rm -rf %t.out && env TIMEMORY_OUTPUT_PATH=%t.out %t.exe
// RUN: %check-tree %t.out/latest/wall.tree.json 'main>jumper=1' 'main>jumper>deep=1' 'main>jumper>deep>deeper=1' \
// RUN:   'main>jumper>after_jump=1' '!main>jumper>deep>deeper>after_jump' 'main>jumper>deep>deeper@language=c'
#include <setjmp.h>
#include <stdio.h>

static jmp_buf buf;

__attribute__((noinline)) void deeper(int x) {
    if (x > 0) longjmp(buf, 1);
}
__attribute__((noinline)) void deep(int x) { deeper(x); puts("not reached"); }
__attribute__((noinline)) void after_jump(void) { puts("after jump"); }

__attribute__((noinline)) void jumper(void) {
    if (setjmp(buf) == 0) deep(1);
    after_jump();
}

int main(void) {
    jumper();
    return 0;
}
