// Compiled with timemory-clang++: no timemory code in the source, every selected
// function is measured. scripts/demo builds it with --timemory-inline=before, which keeps
// hooks in functions the optimiser inlines (all of these, at -O2).
#include <cmath>
#include <cstdio>
#include <vector>

namespace {

std::vector<double> make_grid(int n) {
    std::vector<double> g(size_t(n) * n);
    for (int i = 0; i < n * n; ++i)
        g[size_t(i)] = std::sin(i * 0.01);
    return g;
}

double relax(std::vector<double>& g, int n) {
    double change = 0;
    for (int i = 1; i < n - 1; ++i)
        for (int j = 1; j < n - 1; ++j) {
            size_t k = size_t(i) * n + j;
            double v = 0.25 * (g[k - 1] + g[k + 1] + g[k - n] + g[k + n]);
            change += std::fabs(v - g[k]);
            g[k] = v;
        }
    return change;
}

int solve(int n, double tol) {
    auto g = make_grid(n);
    int iters = 0;
    while (relax(g, n) > tol && iters < 200)
        ++iters;
    return iters;
}

} // namespace

int main() {
    int total = 0;
    for (int n : {64, 128, 192})
        total += solve(n, 1e-3);
    std::printf("iterations: %d\n", total);
    return 0;
}
