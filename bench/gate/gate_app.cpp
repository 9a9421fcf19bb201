// The program of the CI-gate benchmark (bench/report_gate.py): three functions doing the
// same kind of work (each its own loop: leaves with loops, instrumented by default),
// `target`'s made slower by the factor in argv[1] (1.0: unchanged).
#include <cstdio>
#include <cstdlib>

static volatile double sink;

__attribute__((always_inline)) static inline void spin(long n) {
    double x = 0;
    for (long i = 0; i < n; ++i)
        x += double(i % 7) * 0.5;
    sink = x;
}

__attribute__((noinline)) void phase_a() { spin(60000); }
__attribute__((noinline)) void phase_b() { spin(60000); }
__attribute__((noinline)) void target(double factor) { spin(long(60000 * factor)); }

int main(int argc, char** argv) {
    const double factor = argc > 1 ? std::atof(argv[1]) : 1.0;
    for (int i = 0; i < 200; ++i) {
        phase_a();
        phase_b();
        target(factor);
    }
    std::printf("%g\n", double(sink));
    return 0;
}
