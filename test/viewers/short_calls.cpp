// A C++ program whose time is in calls far shorter than a microsecond (std::map lookups
// wrapped in small functions, system headers instrumented too), built with every function
// instrumented: the case where a trace written at microsecond resolution had zero-length
// events that speedscope nested wrongly.
#include <cstdio>
#include <map>
#include <string>

namespace {

__attribute__((noinline)) int key_of(int i) {
    return (i * 7919) % 1021;
}

__attribute__((noinline)) void count(std::map<int, int>& m, int i) {
    ++m[key_of(i)];
}

__attribute__((noinline)) long checksum(const std::map<int, int>& m) {
    long s = 0;
    for (const auto& [k, v] : m)
        s += long(k) * v;
    return s;
}

__attribute__((noinline)) long round_of(int n) {
    std::map<int, int> m;
    for (int i = 0; i < n; ++i)
        count(m, i);
    return checksum(m);
}

} // namespace

int main() {
    long total = 0;
    for (int r = 0; r < 20; ++r)
        total += round_of(2000);
    std::printf("%ld\n", total);
    return 0;
}
