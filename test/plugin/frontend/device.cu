// The device side of a CUDA compilation is never instrumented; the host side is. The
// CUDA headers are not needed (-nocudainc), only clang's CUDA support.
// RUN: %clangxx-instr -fplugin-arg-timemory-min-instructions=0 -x cuda -nocudainc -nocudalib --cuda-gpu-arch=sm_70 --cuda-device-only -S -emit-llvm %s -o - | FileCheck --check-prefix=DEVICE %s
// RUN: %clangxx-instr -fplugin-arg-timemory-min-instructions=0 -x cuda -nocudainc -nocudalib --cuda-gpu-arch=sm_70 --cuda-host-only -S -emit-llvm %s -o - | FileCheck --check-prefix=HOST %s
__attribute__((device)) float twice(float x) { return 2 * x; }
#ifdef __CUDA_ARCH__ // a kernel's host stub would need the CUDA runtime's declarations
__attribute__((global)) void scale(float* x) { x[0] = twice(x[0]); }
#endif
float on_host(float x) { return x + 1; }
// DEVICE: define {{.*}} @_Z5scalePf(
// DEVICE-NOT: timemory_enter
// HOST: define {{.*}} @_Z7on_hostf(
// HOST: call void @timemory_enter(ptr @__timemory_site._Z7on_hostf)
