// The interpreter hooks: the profiler (calls and returns) and the tracer (lines). Both are
// C callbacks registered with CPython's profiling/tracing API, so an event costs no
// Python-level call.
#pragma once

#include <Python.h>

#include "code_sites.hpp"

namespace tmpy {

filter_config& profiler_config();
filter_config& tracer_config();

/// Installs the profiler hook on every thread of the interpreter and, through
/// threading.setprofile, on threads started later. Idempotent.
void profiler_start();
/// Removes it everywhere. Warns once if another tool had replaced it meanwhile.
void profiler_stop();
bool profiler_running();

/// The same for the line tracer.
void tracer_start();
void tracer_stop();
bool tracer_running();

/// Calls threading.<setter>(fn) (setprofile or settrace); errors are cleared.
void set_threading_hook(const char* setter, PyObject* fn);

/// Applies `install` to every thread state of the calling thread's interpreter.
template <typename F>
void for_each_thread(F install) {
    PyThreadState* self = PyThreadState_Get();
    for (PyThreadState* ts = PyInterpreterState_ThreadHead(self->interp); ts;
         ts = PyThreadState_Next(ts))
        install(ts);
}

/// The callables given to threading.setprofile/settrace: on the first event in a new
/// thread they install the C hook there and forward that event.
PyObject* profiler_bootstrap();
PyObject* tracer_bootstrap();

} // namespace tmpy
