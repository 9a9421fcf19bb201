// A CUDA program with known GPU work under timemory regions, for test/gpu/run_gpu_test.sh:
//
//   main
//   ├── setup      one memcpy HtoD (1 MiB), one memset
//   ├── compute    scale<<<>>> x5
//   │    └── inner add_one<<<>>> x3
//   └── download   one memcpy DtoH (1 MiB)
//
// It checks its own numbers, so a wrong result is not mistaken for a profiling problem.
#include <cuda_runtime.h>

#include <cstdio>
#include <vector>

#include "timemory/timemory.h"
#include "timemory/timemory.hpp"

__global__ void scale(float* x, int n, float a) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] *= a;
}

__global__ void add_one(float* x, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] += 1.0f;
}

#define CHECK(call)                                                                                \
    do {                                                                                           \
        cudaError_t e = (call);                                                                    \
        if (e != cudaSuccess) {                                                                    \
            std::fprintf(stderr, "%s failed: %s\n", #call, cudaGetErrorString(e));                 \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

static int run() {
    const int n = 1 << 18; // 1 MiB of floats
    std::vector<float> host(n, 1.0f);
    float* dev = nullptr;
    TIMEMORY_MARKER("main");
    {
        TIMEMORY_MARKER("setup");
        CHECK(cudaMalloc(&dev, n * sizeof(float)));
        CHECK(cudaMemset(dev, 0, n * sizeof(float)));
        CHECK(cudaMemcpy(dev, host.data(), n * sizeof(float), cudaMemcpyHostToDevice));
    }
    {
        TIMEMORY_MARKER("compute");
        for (int k = 0; k < 5; ++k)
            scale<<<(n + 255) / 256, 256>>>(dev, n, 2.0f);
        {
            TIMEMORY_MARKER("inner");
            for (int k = 0; k < 3; ++k)
                add_one<<<(n + 255) / 256, 256>>>(dev, n);
        }
        CHECK(cudaDeviceSynchronize());
    }
    {
        TIMEMORY_MARKER("download");
        CHECK(cudaMemcpy(host.data(), dev, n * sizeof(float), cudaMemcpyDeviceToHost));
    }
    CHECK(cudaFree(dev));
    for (int i = 0; i < n; ++i) {
        if (host[i] != 35.0f) { // 1 * 2^5 + 3
            std::fprintf(stderr, "wrong result at %d: %f\n", i, host[i]);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char** argv) {
    timemory_init(argc, argv);
    int rc = run();
    timemory_finalize();
    return rc;
}
