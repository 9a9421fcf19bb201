// The call-heavy workload of the plugin benchmark: recursive fib whose calls stay calls
// (noinline, and an empty asm after both so neither can become a tail call or a loop).
// It times itself around the recursion only, so start-up and report writing are not
// counted, and prints: <calls> <elapsed ns>.
#include <cstdio>
#include <cstdlib>
#include <ctime>

__attribute__((noinline)) long fib(int n) {
    if (n < 2) return n;
    long a = fib(n - 1);
    long b = fib(n - 2);
    asm volatile("" : "+r"(a), "+r"(b));
    return a + b;
}

static long calls_of(int n) { // fib(n) makes 2 * F(n + 1) - 1 calls
    long f0 = 0, f1 = 1;
    for (int i = 0; i < n + 1; ++i) {
        long t = f0 + f1;
        f0 = f1;
        f1 = t;
    }
    return 2 * f0 - 1;
}

int main(int argc, char** argv) {
    int n = argc > 1 ? std::atoi(argv[1]) : 28;
    int reps = argc > 2 ? std::atoi(argv[2]) : 3;
    volatile long sink = fib(15); // warm-up: first calls register sites, fill caches
    timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int r = 0; r < reps; ++r)
        sink = sink + fib(n);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
    std::printf("%ld %ld\n", calls_of(n) * reps, ns);
    return 0;
}
