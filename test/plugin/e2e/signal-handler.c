// The program's only instrumented function runs in a SIGALRM handler, while main does
// nothing but malloc and free: the first measured call comes from a handler that
// interrupted malloc, most of the time. The runtime started when the program loaded, so
// every call is recorded and the heap is never touched from the handler.
// RUN: %tmcc -O1 --timemory-min-instructions=0 --timemory-include='^in_handler$' %s -o %t.exe
// RUN: rm -rf %t.out && env TIMEMORY_OUTPUT_PATH=%t.out %t.exe | FileCheck %s
// CHECK: handled 500
// RUN: %check-tree %t.out/latest/wall.tree.json 'in_handler=500'
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static volatile sig_atomic_t handled = 0;
static volatile int sink = 0;

__attribute__((noinline)) void in_handler(void) {
    for (int i = 0; i < 10; ++i)
        sink += i;
}

static void set_timer(long us) {
    struct itimerval t = {{0, us}, {0, us}};
    setitimer(ITIMER_REAL, &t, NULL);
}

static void on_alarm(int sig) {
    (void)sig;
    in_handler();
    if (++handled == 500) set_timer(0);
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    set_timer(100);
    void* blocks[64] = {0};
    unsigned rng = 1;
    while (handled < 500) {
        for (int i = 0; i < 64; ++i) {
            rng = rng * 1103515245u + 12345u;
            free(blocks[i]);
            blocks[i] = malloc(16 + (rng >> 16) % 4096);
        }
    }
    for (int i = 0; i < 64; ++i)
        free(blocks[i]);
    printf("handled %d\n", (int)handled);
    return 0;
}
