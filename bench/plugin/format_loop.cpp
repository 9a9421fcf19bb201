// A formatting-library workload: many small template functions, instantiated for several
// argument types, called in a tight loop (the shape of fmt's own benchmarks).
#define FMT_HEADER_ONLY
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

struct point {
    double x, y;
};

std::string describe(int i, double v, const std::string& name, point p) {
    return fmt::format("{:>6} {:12.4f} {:<10} ({:.2f}, {:.2f}) {:#x} {}", i, v, name, p.x, p.y,
                       unsigned(i), i % 3 == 0);
}

size_t run(int n) {
    size_t total = 0;
    std::string names[] = {"alpha", "beta", "gamma", "delta"};
    for (int i = 0; i < n; ++i) {
        std::string s = describe(i, i * 0.25, names[i & 3], point{i * 1.5, -i * 0.5});
        total += s.size();
        fmt::memory_buffer buf;
        fmt::format_to(std::back_inserter(buf), "{}:{}:{}", i, s.size(), names[(i + 1) & 3]);
        total += buf.size();
    }
    return total;
}

} // namespace

int main(int argc, char** argv) {
    int n = argc > 1 ? std::atoi(argv[1]) : 200000;
    auto t0 = std::chrono::steady_clock::now();
    size_t total = run(n);
    auto t1 = std::chrono::steady_clock::now();
    std::printf("%zu %lld\n", total,
                (long long)std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    return 0;
}
