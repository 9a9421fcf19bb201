// A first look at timemory from C++: nested markers, a loop, a worker thread.
// Run it, then read timemory-ex-cxx-markers-output/wall.txt (or the table on stdout).
#include <timemory/timemory.hpp>

#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

namespace {

double integrate(int steps) {
    TIMEMORY_MARKER("integrate");
    double sum = 0;
    for (int i = 0; i < steps; ++i)
        sum += std::sin(i * 1e-3) * 1e-3;
    return sum;
}

void load_input() {
    TIMEMORY_MARKER("load_input");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

std::vector<double> allocate(size_t n) {
    TIMEMORY_MARKER("allocate");
    return std::vector<double>(n, 1.0);
}

} // namespace

int main(int argc, char** argv) {
    timemory_init(argc, argv);
    TIMEMORY_MARKER("main");
    load_input();
    auto data = allocate(4u << 20);
    double total = 0;
    for (int i = 0; i < 5; ++i)
        total += integrate(200000);
    std::thread worker([&] {
        TIMEMORY_MARKER("worker");
        total += integrate(100000);
    });
    worker.join();
    std::printf("result: %.6f (%zu values)\n", total, data.size());
    return 0;
}
