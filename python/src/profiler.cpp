// What both profiler implementations share (the 3.11 profile hook and the 3.12+
// sys.monitoring tool): the filter configuration and the threading module's hooks.
#include <Python.h>

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

} // namespace tmpy
