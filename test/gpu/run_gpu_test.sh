#!/usr/bin/env bash
# The GPU test of cupti_activity: builds gpu_app.cu with nvcc against an existing build of
# timemory, runs it with TIMEMORY_COMPONENTS=wall_clock,cupti_activity, and checks the
# report (check_gpu.py). Needs an NVIDIA GPU, its driver and the CUDA toolkit.
#
#   usage: test/gpu/run_gpu_test.sh [BUILD_DIR]     (default: build/)
#   NVCC or CUDA_HOME choose the compiler (default /usr/local/cuda/bin/nvcc).
#
# Without a GPU it stops with exit code 77 ("skipped") and the runtime's reason.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
nvcc="${NVCC:-${CUDA_HOME:-/usr/local/cuda}/bin/nvcc}"
python="${PYTHON:-python3}"

reason="$("$build/bin/timemory-avail" -c | grep '^cupti_activity' || true)"
if [[ "$reason" != *" yes "* ]]; then
    echo "[gpu test] skipped: cupti_activity is unavailable here: ${reason#*[}"
    exit 77
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$nvcc" -std=c++17 -O2 -I"$root/runtime/include" -I"$build/include" "$here/gpu_app.cu" \
    -o "$work/gpu_app" -L"$build/lib" -ltimemory-rt -Xlinker -rpath -Xlinker "$build/lib"
cd "$work"
TIMEMORY_COMPONENTS=wall_clock,cupti_activity TIMEMORY_OUTPUT_PATH=out ./gpu_app
"$python" "$here/check_gpu.py" out/latest
