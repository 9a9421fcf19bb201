// The line tracer: one timemory region per executed source line, nested in whatever
// region is open (a Profiler's function, a marker).
#include <Python.h>
#include <frameobject.h>
#include <timemory/timemory.h>

#include <string>
#include <vector>

#include "hooks.hpp"

namespace tmpy {

namespace {

filter_config g_config;
code_sites* g_sites = nullptr;
bool g_running = false;

struct open_line {
    PyFrameObject* frame; // identity only, never dereferenced after its frame returns
    timemory_site* site;
};
thread_local std::vector<open_line> t_open;

std::string source_line(const std::string& file, int line) {
    std::string text;
    PyObject* linecache = PyImport_ImportModule("linecache");
    if (linecache) {
        PyObject* r = PyObject_CallMethod(linecache, "getline", "si", file.c_str(), line);
        if (r && PyUnicode_Check(r)) {
            const char* c = PyUnicode_AsUTF8(r);
            text = c ? c : "";
        }
        Py_XDECREF(r);
        Py_DECREF(linecache);
    }
    PyErr_Clear();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    return text;
}

timemory_site* line_site(code_info* info, int line) {
    auto it = info->lines.find(line);
    if (it != info->lines.end()) return it->second;
    // Made once per line: the label is the source text; file and line are data.
    std::string text = source_line(info->file, line);
    std::string label = text.empty() ? info->name + ":" + std::to_string(line) : text;
    timemory_site* site = timemory_intern_site(label.c_str(), info->site.linkage,
                                               info->site.file, unsigned(line),
                                               TIMEMORY_LANG_PYTHON);
    info->lines.emplace(line, site);
    return site;
}

void close_line(PyFrameObject* frame) {
    if (!t_open.empty() && t_open.back().frame == frame) {
        timemory_exit(t_open.back().site);
        t_open.pop_back();
    }
}

int on_event(PyObject*, PyFrameObject* frame, int what, PyObject*) {
    switch (what) {
    case PyTrace_LINE: {
        PyCodeObject* code = PyFrame_GetCode(frame);
        code_info* info = g_sites->get(code);
        Py_DECREF(code);
        close_line(frame);
        if (info->skip) break;
        timemory_site* s = line_site(info, PyFrame_GetLineNumber(frame));
        timemory_enter(s);
        t_open.push_back({frame, s});
        break;
    }
    case PyTrace_RETURN:
        close_line(frame);
        break;
    default:
        break;
    }
    return 0;
}

PyObject* bootstrap(PyObject*, PyObject* args) {
    PyObject *frame, *event, *arg;
    if (!PyArg_ParseTuple(args, "OOO", &frame, &event, &arg)) return nullptr;
    PyEval_SetTrace(on_event, nullptr);
    Py_RETURN_NONE;
}

PyMethodDef g_bootstrap_def = {"_timemory_tracer_bootstrap", bootstrap, METH_VARARGS,
                               "Installs timemory's line tracer in a new thread."};

} // namespace

filter_config& tracer_config() {
    return g_config;
}
bool tracer_running() {
    return g_running;
}
PyObject* tracer_bootstrap() {
    return PyCFunction_New(&g_bootstrap_def, nullptr);
}

void tracer_start() {
    if (!g_sites) g_sites = new code_sites(&g_config);
    if (g_running) return;
    PyObject* boot = tracer_bootstrap(); // before the hook: importing threading is not traced
    set_threading_hook("settrace", boot);
    Py_DECREF(boot);
#if PY_VERSION_HEX >= 0x030c0000
    PyEval_SetTraceAllThreads(on_event, nullptr); // public since 3.12 (3.13 hides the rest)
#else
    for_each_thread([](PyThreadState* ts) { _PyEval_SetTrace(ts, on_event, nullptr); });
#endif
    g_running = true;
}

void tracer_stop() {
    if (!g_running) return;
#if PY_VERSION_HEX >= 0x030c0000
    // Only all threads at once can be reset from here: done when no other tool has put
    // its own trace function on one of them meanwhile, else only on this thread.
    bool all_ours = true;
    for_each_thread([&](PyThreadState* ts) {
        if (ts->c_tracefunc && ts->c_tracefunc != on_event) all_ours = false;
    });
    if (all_ours)
        PyEval_SetTraceAllThreads(nullptr, nullptr);
    else if (PyThreadState_Get()->c_tracefunc == on_event)
        PyEval_SetTrace(nullptr, nullptr);
#else
    for_each_thread([](PyThreadState* ts) {
        if (ts->c_tracefunc == on_event) _PyEval_SetTrace(ts, nullptr, nullptr);
    });
#endif
    while (!t_open.empty()) {
        timemory_exit(t_open.back().site);
        t_open.pop_back();
    }
    set_threading_hook("settrace", Py_None);
    g_running = false;
}

} // namespace tmpy
