# OMPT (OpenMP's tools interface, omp-tools.h from libomp-19-dev): OpenMP parallel regions
# attributed per region. Only the header is needed: libomp finds ompt_start_tool in the
# runtime by itself. clang-19 -fopenmp builds the OpenMP test programs.
if(NOT TIMEMORY_USE_OMPT STREQUAL "OFF")
    find_path(TIMEMORY_OMPT_INCLUDE_DIR NAMES omp-tools.h
        HINTS /usr/lib/llvm-19/lib/clang/19/include NO_DEFAULT_PATH)
    find_library(TIMEMORY_LIBOMP NAMES omp HINTS /usr/lib/llvm-19/lib NO_DEFAULT_PATH)
    find_program(TIMEMORY_OMP_CLANGXX NAMES clang++-19 clang++ HINTS /usr/lib/llvm-19/bin)
    if(NOT TIMEMORY_OMPT_INCLUDE_DIR)
        timemory_optional_result(OMPT FALSE "omp-tools.h of LLVM 19 not found (libomp-19-dev)")
    else()
        timemory_optional_result(OMPT TRUE "")
    endif()
endif()
