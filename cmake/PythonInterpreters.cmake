# The interpreters the extension is built for: the one FindPythonToolchain found (Debian's
# /usr/bin/python3) and every other CPython 3.11+ with headers that is listed in
# TIMEMORY_PYTHON_INTERPRETERS, or, when that is empty, found under ~/.pyenv/versions.
# Each gets its own ABI-tagged module in the one package folder (libpytimemory.cpython-
# 312-x86_64-linux-gnu.so next to ...-311-...), so every interpreter imports the same
# build/python/timemory.
set(TIMEMORY_PYTHON_INTERPRETERS "" CACHE STRING
    "More Python interpreters (paths) to build the extension for; default: ~/.pyenv 3.11+")

# Sets <prefix>_VERSION (3.12), <prefix>_TAG (312), <prefix>_INCLUDE, <prefix>_SUFFIX,
# or <prefix>_WHY when `exe` cannot be built for.
function(timemory_python_describe exe prefix)
    execute_process(COMMAND ${exe} -c
        "import sys, sysconfig; v = sys.version_info; print('%d.%d;%d%d;%s;%s' % (v[0], v[1], v[0], v[1], sysconfig.get_paths()['include'], sysconfig.get_config_var('EXT_SUFFIX')))"
        OUTPUT_VARIABLE out RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(NOT rc EQUAL 0)
        set(${prefix}_WHY "does not run" PARENT_SCOPE)
        return()
    endif()
    list(GET out 0 version)
    list(GET out 1 tag)
    list(GET out 2 include)
    list(GET out 3 suffix)
    if(version VERSION_LESS 3.11)
        set(${prefix}_WHY "Python ${version} is older than 3.11" PARENT_SCOPE)
    elseif(NOT EXISTS ${include}/Python.h)
        set(${prefix}_WHY "no headers (${include}/Python.h)" PARENT_SCOPE)
    else()
        set(${prefix}_WHY "" PARENT_SCOPE)
    endif()
    set(${prefix}_VERSION ${version} PARENT_SCOPE)
    set(${prefix}_TAG ${tag} PARENT_SCOPE)
    set(${prefix}_INCLUDE ${include} PARENT_SCOPE)
    set(${prefix}_SUFFIX ${suffix} PARENT_SCOPE)
endfunction()

# Fills TIMEMORY_PYTHON_BUILT (a list of tag=exe, e.g. 312=/path/python3) and, per tag,
# TIMEMORY_PY<tag>_INCLUDE/_SUFFIX/_VERSION (internal cache: every directory sees them); writes
# build/python/interpreters.txt, which scripts/test prints.
function(timemory_python_interpreters)
    set(candidates ${Python3_EXECUTABLE})
    if(TIMEMORY_PYTHON_INTERPRETERS)
        list(APPEND candidates ${TIMEMORY_PYTHON_INTERPRETERS})
    else()
        file(GLOB pyenv LIST_DIRECTORIES true "$ENV{HOME}/.pyenv/versions/3.1[1-9]*")
        list(SORT pyenv COMPARE NATURAL)
        foreach(dir ${pyenv})
            if(EXISTS ${dir}/bin/python3)
                list(APPEND candidates ${dir}/bin/python3)
            endif()
        endforeach()
    endif()
    set(built)
    set(tags)
    set(report "")
    foreach(exe ${candidates})
        timemory_python_describe(${exe} py)
        if(py_WHY)
            string(APPEND report "skipped ${exe}: ${py_WHY}\n")
        elseif(py_TAG IN_LIST tags)
            string(APPEND report "skipped ${exe}: Python ${py_VERSION} already built for\n")
        else()
            list(APPEND tags ${py_TAG})
            list(APPEND built "${py_TAG}=${exe}")
            set(TIMEMORY_PY${py_TAG}_INCLUDE ${py_INCLUDE} CACHE INTERNAL "")
            set(TIMEMORY_PY${py_TAG}_SUFFIX ${py_SUFFIX} CACHE INTERNAL "")
            set(TIMEMORY_PY${py_TAG}_VERSION ${py_VERSION} CACHE INTERNAL "")
            string(APPEND report "built   ${exe}: Python ${py_VERSION}\n")
        endif()
    endforeach()
    foreach(want 3.12 3.13)
        string(REPLACE "." "" t ${want})
        if(NOT t IN_LIST tags)
            string(APPEND report "skipped Python ${want}: no interpreter with headers found "
                                 "(set TIMEMORY_PYTHON_INTERPRETERS)\n")
        endif()
    endforeach()
    file(WRITE ${PROJECT_BINARY_DIR}/python/interpreters.txt "${report}")
    message(STATUS "timemory: Python extension interpreters:\n${report}")
    set(TIMEMORY_PYTHON_BUILT ${built} CACHE INTERNAL "")
endfunction()
