// A function shorter than THROTTLE_VALUE ns after THROTTLE_COUNT calls stops being
// timed, but its count stays exact and the report says it was throttled. A long function
// is never throttled.
// RUN: %tmcxx -O0 --timemory-min-instructions=0 %s -o %t.exe
// RUN: rm -rf %t.out && env TIMEMORY_OUTPUT_PATH=%t.out TIMEMORY_THROTTLE_COUNT=1000 TIMEMORY_THROTTLE_VALUE=5000 %t.exe
// RUN: %check-tree %t.out/latest/wall.tree.json 'main>tiny(int)=50000' 'main>tiny(int)@throttled' \
// RUN:   'main>slow()=1200' '!main>slow()@throttled' \
// RUN:   'main>recurse_tiny(int)=2020' 'main>recurse_tiny(int)@throttled' \
// RUN:   'main>recurse_tiny(int)>recurse_tiny(int)>recurse_tiny(int)>recurse_tiny(int)=20'
// Untimed calls of a throttled function keep their place in the tree: recursion through
// it nests as it ran, and leaves no frame unmatched.
// RUN: FileCheck --check-prefix=META %s < %t.out/latest/metadata.json
// META: "reconciled_frames":0,
// META: "unmatched_exits":0
// RUN: FileCheck %s < %t.out/latest/wall.txt
// CHECK: |0>>> |_tiny(int) [estimated] {{ *}}| {{ *}}50000 |
// CHECK: [estimated]: a throttled function
// Throttling off: every call timed.
// RUN: rm -rf %t.off && env TIMEMORY_OUTPUT_PATH=%t.off TIMEMORY_THROTTLE_COUNT=0 %t.exe
// RUN: %check-tree %t.off/latest/wall.tree.json 'main>tiny(int)=50000' '!main>tiny(int)@throttled'
#include <chrono>
#include <cstdio>
#include <thread>

__attribute__((noinline)) int tiny(int x) { return x ^ 0x5a; }
__attribute__((noinline)) void slow() {
    auto end = std::chrono::steady_clock::now() + std::chrono::microseconds(20);
    while (std::chrono::steady_clock::now() < end) {
    }
}
// Recursion through a throttled function must keep the tree intact.
__attribute__((noinline)) int recurse_tiny(int n) { return n <= 0 ? 0 : recurse_tiny(n - 1) + 1; }

int main() {
    volatile int s = 0;
    for (int i = 0; i < 50000; ++i) s += tiny(i);
    for (int i = 0; i < 1200; ++i) slow();
    for (int i = 0; i < 2000; ++i) s += recurse_tiny(0);
    for (int i = 0; i < 20; ++i) s += recurse_tiny(3);
    std::printf("%d\n", int(s));
    return 0;
}
