# TIMEMORY_SANITIZE = "" | address | thread: the whole build (runtime, tools, tests) with
# clang's sanitizers. "address" is ASan with UBSan (every UB report fatal), "thread" is TSan.
# Used by scripts/sanitize (CI runs both); needs clang, whose runtimes come with
# libclang-rt-19-dev. The runtimes are shared (-shared-libsan) because the runtime links
# with -Wl,--no-undefined, and found through an rpath so no LD_LIBRARY_PATH is needed.
set(TIMEMORY_SANITIZE "" CACHE STRING "Build with sanitizers: address (ASan+UBSan) or thread (TSan)")
set_property(CACHE TIMEMORY_SANITIZE PROPERTY STRINGS "" address thread)
set(TIMEMORY_SANITIZER_FLAGS "")
if(TIMEMORY_SANITIZE)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang" OR NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "TIMEMORY_SANITIZE needs clang (e.g. -DCMAKE_CXX_COMPILER=clang++-19 "
                            "-DCMAKE_C_COMPILER=clang-19); this build uses ${CMAKE_CXX_COMPILER_ID}")
    endif()
    if(TIMEMORY_SANITIZE STREQUAL "address")
        set(TIMEMORY_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
            -fno-omit-frame-pointer -shared-libsan)
    elseif(TIMEMORY_SANITIZE STREQUAL "thread")
        set(TIMEMORY_SANITIZER_FLAGS -fsanitize=thread -shared-libsan)
    else()
        message(FATAL_ERROR "TIMEMORY_SANITIZE='${TIMEMORY_SANITIZE}': expected address or thread")
    endif()
    # Where the sanitizer runtimes are: lib/<triple>/ in newer layouts, lib/linux/ in Debian's.
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-resource-dir
                    OUTPUT_VARIABLE resource_dir OUTPUT_STRIP_TRAILING_WHITESPACE)
    file(GLOB sanitizer_runtime "${resource_dir}/lib/*/libclang_rt.*san*.so")
    if(NOT sanitizer_runtime)
        message(FATAL_ERROR "TIMEMORY_SANITIZE: no sanitizer runtime under '${resource_dir}/lib' "
                            "(install libclang-rt-19-dev)")
    endif()
    list(GET sanitizer_runtime 0 sanitizer_runtime)
    get_filename_component(sanitizer_runtime_dir "${sanitizer_runtime}" DIRECTORY)
    add_compile_options(${TIMEMORY_SANITIZER_FLAGS})
    # TIMEMORY_SANITIZER_FLAGS: for programs built by custom commands (compile and link).
    list(APPEND TIMEMORY_SANITIZER_FLAGS -Wl,-rpath,${sanitizer_runtime_dir})
    add_link_options(${TIMEMORY_SANITIZER_FLAGS})
    message(STATUS "timemory: sanitizer build (${TIMEMORY_SANITIZE}): ${TIMEMORY_SANITIZER_FLAGS}")
endif()
