// Recursion nests one node per level, and repeated calls add up at each level.
// RUN: %tmcxx -O0 --timemory-min-instructions=0 %s -o %t.exe
// RUN: rm -rf %t.out && env TIMEMORY_OUTPUT_PATH=%t.out %t.exe
// RUN: %check-tree %t.out/latest/wall.tree.json 'main>countdown(int)=2' 'main>countdown(int)>countdown(int)=2' \
// RUN:   'main>countdown(int)>countdown(int)>countdown(int)>countdown(int)=2' \
// RUN:   '!main>countdown(int)>countdown(int)>countdown(int)>countdown(int)>countdown(int)' \
// RUN:   'main>ping(int)>pong(int)>ping(int)>pong(int)=1'
// Flat mode folds every level into one node per function.
// RUN: rm -rf %t.flat && env TIMEMORY_OUTPUT_PATH=%t.flat TIMEMORY_FLAT_PROFILE=ON %t.exe
// RUN: %check-tree %t.flat/latest/wall.tree.json 'countdown(int)=8' 'ping(int)=2' 'pong(int)=2' 'main=1'
#include <cstdio>

__attribute__((noinline)) int countdown(int n) { return n <= 1 ? 0 : 1 + countdown(n - 1); }
int pong(int n);
__attribute__((noinline)) int ping(int n) { return n <= 0 ? 0 : pong(n - 1) + 1; }
__attribute__((noinline)) int pong(int n) { return n <= 0 ? 0 : ping(n - 1) + 1; }

int main() {
    volatile int r = countdown(4) + countdown(4) + ping(3);
    std::printf("%d\n", r);
    return 0;
}
