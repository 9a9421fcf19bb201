// An exception thrown three frames below its catch: the skipped frames are closed when
// the catching function's landing pad runs, so what it calls next nests under it.
// RUN: %tmcxx -O1 --timemory-min-instructions=0 %s -o %t.exe
// RUN: rm -rf %t.out && env TIMEMORY_OUTPUT_PATH=%t.out %t.exe
// RUN: %check-tree %t.out/latest/wall.tree.json 'main>catcher()=2' 'main>catcher()>level1(int)=2' \
// RUN:   'main>catcher()>level1(int)>level2(int)=2' 'main>catcher()>level1(int)>level2(int)>level3(int)=2' \
// RUN:   'main>catcher()>after_catch()=2' '!main>catcher()>level1(int)>level2(int)>level3(int)>after_catch()' \
// RUN:   'main>after_all()=1' 'main@children=2'
// With cleanups (a destructor) in the middle frame, that frame closes itself on the way.
// RUN: %tmcxx -O1 --timemory-min-instructions=0 -DWITH_CLEANUP %s -o %t.cleanup.exe
// RUN: rm -rf %t.out2 && env TIMEMORY_OUTPUT_PATH=%t.out2 %t.cleanup.exe
// RUN: %check-tree %t.out2/latest/wall.tree.json 'main>catcher()>level1(int)>level2(int)>level3(int)=2' \
// RUN:   'main>catcher()>after_catch()=2' 'main>after_all()=1'
#include <cstdio>
#include <stdexcept>

struct Guard {
    ~Guard() { std::puts("cleanup"); }
};

__attribute__((noinline)) int level3(int x) {
    if (x >= 0) throw std::runtime_error("deep");
    return x;
}
__attribute__((noinline)) int level2(int x) {
#ifdef WITH_CLEANUP
    Guard g;
#endif
    return level3(x) + 1;
}
__attribute__((noinline)) int level1(int x) { return level2(x) + 1; }
__attribute__((noinline)) void after_catch() { std::puts("after catch"); }
__attribute__((noinline)) void after_all() { std::puts("after all"); }

__attribute__((noinline)) void catcher() {
    try {
        level1(1);
    } catch (const std::exception& e) {
        std::puts(e.what());
    }
    after_catch();
}

int main() {
    catcher();
    catcher();
    after_all();
    return 0;
}
