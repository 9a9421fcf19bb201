// What both profiler implementations share (the 3.11 profile hook and the 3.12+
// sys.monitoring tool): the filter configuration and the threading module's hooks.
#include <Python.h>

#include <cstdarg>
#include <cstdio>

#include "hooks.hpp"

namespace tmpy {

filter_config& profiler_config() {
    static filter_config config; // before any hook runs: first used at module import
    return config;
}

void set_threading_hook(const char* setter, PyObject* fn) {
    PyObject* threading = PyImport_ImportModule("threading");
    if (!threading) {
        PyErr_Clear();
        return;
    }
    PyObject* r = PyObject_CallMethod(threading, setter, "O", fn);
    Py_XDECREF(r);
    Py_DECREF(threading);
    PyErr_Clear();
}

void warn(const char* format, ...) {
    std::fputs("[timemory] warning: ", stderr);
    va_list va;
    va_start(va, format);
    std::vfprintf(stderr, format, va);
    va_end(va);
    std::fputc('\n', stderr);
}

void warn_profiler_lost(const char* how) {
    static bool warned = false; // once per process: every stop would repeat it
    if (warned) return;
    warned = true;
    warn("%s; calls after that were not measured", how);
}

} // namespace tmpy
