// The interpreter hooks: the profiler (calls and returns) and the tracer (lines). Both are
// C callbacks registered with CPython's profiling/tracing API, so an event costs no
// Python-level call.
#pragma once

#include <Python.h>

#include "code_sites.hpp"

namespace tmpy {

filter_config& profiler_config();
filter_config& tracer_config();

/// Starts the profiler on every thread of the interpreter, running and started later:
/// on 3.11 a C profile hook per thread (threading.setprofile for new ones), on 3.12+ a
/// sys.monitoring tool. Idempotent.
void profiler_start();
/// Removes it everywhere. Warns once if another tool had replaced it meanwhile.
void profiler_stop();
bool profiler_running();

#if PY_VERSION_HEX >= 0x030c0000
/// The benchmark floor on 3.12+: the profiler's events, with a C callback that does
/// nothing (bench/python_compare.py).
void empty_monitoring_start();
void empty_monitoring_stop();
#endif

/// The same for the line tracer.
void tracer_start();
void tracer_stop();
bool tracer_running();

/// One line on stderr: "[timemory] warning: " and the printf-formatted text.
void warn(const char* format, ...) __attribute__((format(printf, 1, 2)));
/// Says once per process that another tool took the profiler's hook away (`how`), so
/// calls after that were not measured.
void warn_profiler_lost(const char* how);

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

/// The callable given to threading.settrace: on the first event in a new thread it
/// installs the C hook there.
PyObject* tracer_bootstrap();

} // namespace tmpy
