# CUPTI (the CUDA toolkit, default /usr/local/cuda): cupti_activity. Only the headers are
# needed to build: the runtime loads libcupti with dlopen when the component is asked for.
# nvcc, when present, builds the GPU test program under test/gpu.
if(NOT TIMEMORY_USE_CUPTI STREQUAL "OFF")
    set(TIMEMORY_CUDA_ROOT "$ENV{CUDA_HOME}")
    if(CUDAToolkit_ROOT)
        set(TIMEMORY_CUDA_ROOT "${CUDAToolkit_ROOT}")
    elseif(NOT TIMEMORY_CUDA_ROOT)
        set(TIMEMORY_CUDA_ROOT /usr/local/cuda)
    endif()
    find_path(TIMEMORY_CUPTI_INCLUDE_DIR NAMES cupti_activity.h
        HINTS ${TIMEMORY_CUDA_ROOT}/include ${TIMEMORY_CUDA_ROOT}/extras/CUPTI/include
        NO_DEFAULT_PATH)
    find_path(TIMEMORY_CUDA_INCLUDE_DIR NAMES cuda.h HINTS ${TIMEMORY_CUDA_ROOT}/include
        NO_DEFAULT_PATH)
    find_library(TIMEMORY_CUPTI_LIBRARY NAMES cupti
        HINTS ${TIMEMORY_CUDA_ROOT}/lib64 ${TIMEMORY_CUDA_ROOT}/extras/CUPTI/lib64
        NO_DEFAULT_PATH)
    find_program(TIMEMORY_NVCC NAMES nvcc HINTS ${TIMEMORY_CUDA_ROOT}/bin NO_DEFAULT_PATH)
    if(NOT TIMEMORY_CUPTI_INCLUDE_DIR OR NOT TIMEMORY_CUDA_INCLUDE_DIR)
        timemory_optional_result(CUPTI FALSE
            "no CUPTI headers under ${TIMEMORY_CUDA_ROOT} (set CUDAToolkit_ROOT)")
    else()
        timemory_optional_result(CUPTI TRUE "")
    endif()
endif()
