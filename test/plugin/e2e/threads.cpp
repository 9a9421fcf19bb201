// Worker threads' functions merge under the function that started them. (std::thread's
// own inline functions live in a system header and are not instrumented; at -O1 the
// lambda is inlined into them, so work() is the thread's first instrumented function.)
// RUN: %tmcxx -O1 --timemory-min-instructions=0 %s -o %t.exe -pthread
// RUN: rm -rf %t.out && env TIMEMORY_OUTPUT_PATH=%t.out %t.exe
// RUN: %check-tree %t.out/latest/wall.tree.json 'main>run_pool()=1' 'main@children=1' \
// RUN:   'main>run_pool()>work(int)=12'
// RUN: rm -rf %t.sep && env TIMEMORY_OUTPUT_PATH=%t.sep TIMEMORY_COLLAPSE_THREADS=OFF %t.exe
// RUN: %check-tree %t.sep/latest/wall.tree.json 'main>run_pool()=1' '!main>run_pool()>work(int)' \
// RUN:   '[thread 1]>work(int)=3' '[thread 2]>work(int)=3' '[thread 3]>work(int)=3' '[thread 4]>work(int)=3'
#include <thread>
#include <vector>

__attribute__((noinline)) int work(int x) {
    volatile int s = 0;
    for (int i = 0; i < 1000; ++i) s += i * x;
    return s;
}

__attribute__((noinline)) void run_pool() {
    std::vector<std::thread> pool;
    for (int t = 0; t < 4; ++t)
        pool.emplace_back([t] {
            for (int i = 0; i < 3; ++i) work(t + i);
        });
    for (auto& t : pool) t.join();
}

int main() {
    run_pool();
    return 0;
}
