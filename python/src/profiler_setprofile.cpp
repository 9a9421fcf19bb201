// The profiler on CPython 3.11: a C profile hook (PyEval_SetProfile) per thread. One
// timemory region per Python call, one tree with C++. (3.12 and later use
// profiler_monitoring.cpp; CMake compiles one of the two.)
#include <Python.h>
#include <frameobject.h>
#if PY_VERSION_HEX < 0x030b0000 || PY_VERSION_HEX >= 0x030c0000
#error "profiler_setprofile.cpp reads CPython 3.11 internals: build profiler_monitoring.cpp"
#endif
// The frame's code object without a call and a reference count pair per event. Internal
// to CPython 3.11; module_init_check() refuses another interpreter version at import.
#define Py_BUILD_CORE 1
#include <internal/pycore_frame.h>
#undef Py_BUILD_CORE

#include <vector>

#include "hooks.hpp"

#include <timemory/timemory.h>

namespace tmpy {

namespace {

filter_config& g_config = profiler_config();
code_sites* g_sites = nullptr; // created at first start (needs the interpreter)
bool g_running = false;
// Python frames entered since profiling began on this thread. __thread with initial-exec:
// one %fs-relative access, where thread_local in a shared object costs a __tls_get_addr call.
__thread long t_depth __attribute__((tls_model("initial-exec"))) = 0;

// The frames this thread entered, so a return reuses its call's lookup. Frames are
// compared by address only, never dereferenced: a frame still on this stack is alive.
struct entered {
    PyFrameObject* frame;
    code_info* info;
};
thread_local std::vector<entered>* t_frames_storage = nullptr;
__thread std::vector<entered>* t_frames __attribute__((tls_model("initial-exec"))) = nullptr;

// First event of a thread: its frame stack, kept for the thread's life.
__attribute__((noinline)) std::vector<entered>& new_frames() {
    t_frames_storage = new std::vector<entered>;
    t_frames_storage->reserve(256);
    t_frames = t_frames_storage;
    return *t_frames;
}

inline __attribute__((always_inline)) std::vector<entered>& frames() {
    if (__builtin_expect(t_frames != nullptr, 1)) return *t_frames;
    return new_frames();
}

code_info* info_of(PyFrameObject* frame) {
    return g_sites->get(frame->f_frame->f_code); // borrowed: the frame holds it
}

int on_event(PyObject*, PyFrameObject* frame, int what, PyObject* arg) {
    switch (what) {
    case PyTrace_CALL: {
        code_info* info = info_of(frame);
        frames().push_back({frame, info});
        if (++t_depth <= g_config.max_stack_depth && !info->skip) {
            // A generator or coroutine whose frame stopped at a yield is resumed, not
            // called: its call was counted when it began.
            if (info->resumable && code_sites::resuming(info, frame))
                timemory_resume(&info->site);
            else
                timemory_enter(&info->site);
        }
        // (t_depth is kept even when unlimited: a later Config may set a limit mid-run)
        break;
    }
    case PyTrace_RETURN: {
        auto& st = frames();
        code_info* info;
        if (__builtin_expect(!st.empty() && st.back().frame == frame, 1)) {
            info = st.back().info;
            st.pop_back();
        } else {
            info = info_of(frame); // a frame entered before profiling started
        }
        const long depth = t_depth;
        if (t_depth > 0) --t_depth; // frames already running at start return unmatched
        if (depth > g_config.max_stack_depth || info->skip) break;
        // A generator or coroutine stopping at a yield is suspended, not finished; an
        // exception (arg == NULL) always ends it.
        if (info->resumable && arg && code_sites::suspending(info, frame))
            timemory_suspend(&info->site);
        else
            timemory_exit(&info->site);
        break;
    }
    case PyTrace_C_CALL:
        if (g_config.trace_c)
            if (timemory_site* s = g_sites->builtin(arg)) timemory_enter(s);
        break;
    case PyTrace_C_RETURN:
    case PyTrace_C_EXCEPTION:
        if (g_config.trace_c)
            if (timemory_site* s = g_sites->builtin(arg)) timemory_exit(s);
        break;
    default:
        break;
    }
    return 0;
}

PyObject* bootstrap(PyObject*, PyObject* args) {
    PyObject *frame, *event, *arg;
    if (!PyArg_ParseTuple(args, "OOO", &frame, &event, &arg)) return nullptr;
    PyEval_SetProfile(on_event, nullptr); // from now on this thread calls the C hook
    if (PyFrame_Check(frame) && PyUnicode_Check(event) &&
        PyUnicode_CompareWithASCIIString(event, "call") == 0)
        on_event(nullptr, reinterpret_cast<PyFrameObject*>(frame), PyTrace_CALL, arg);
    Py_RETURN_NONE;
}

PyMethodDef g_bootstrap_def = {"_timemory_profiler_bootstrap", bootstrap, METH_VARARGS,
                               "Installs timemory's profiler hook in a new thread."};

// Another tool's profile function (sys.setprofile, a coverage tool), per thread, and
// threading's profile hook for new threads, while timemory's takes their place: put back
// when the profiler stops. One interpreter, under the GIL.
struct displaced {
    PyThreadState* thread;
    Py_tracefunc func;
    PyObject* obj; // a reference of ours
};
std::vector<displaced>* g_displaced = nullptr;
PyObject* g_threading_hook = nullptr; // threading.getprofile() before ours (a reference)

} // namespace

bool profiler_running() {
    return g_running;
}

void profiler_start() {
    if (!g_sites) g_sites = new code_sites(&g_config);
    if (g_running) return;
    if (!g_displaced) g_displaced = new std::vector<displaced>;
    // threading first: importing it while the hook is on would record the import.
    if (PyObject* threading = PyImport_ImportModule("threading")) {
        g_threading_hook = PyObject_CallMethod(threading, "getprofile", nullptr);
        Py_DECREF(threading);
    }
    PyErr_Clear();
    PyObject* boot = PyCFunction_New(&g_bootstrap_def, nullptr);
    set_threading_hook("setprofile", boot);
    Py_DECREF(boot);
    for_each_thread([](PyThreadState* ts) {
        if (ts->c_profilefunc && ts->c_profilefunc != on_event) {
            Py_XINCREF(ts->c_profileobj);
            g_displaced->push_back({ts, ts->c_profilefunc, ts->c_profileobj});
        }
        _PyEval_SetProfile(ts, on_event, nullptr);
    });
    if (!g_displaced->empty() || (g_threading_hook && g_threading_hook != Py_None)) {
        static bool said = false; // once per process
        if (!said)
            warn("timemory's profiler takes the place of the profiling function another tool "
                 "installed (sys.setprofile, threading.setprofile) while it runs; that one is "
                 "put back when the profiler stops");
        said = true;
    }
    g_running = true;
}

namespace {
// The thread's displaced profile function, or none.
const displaced* displaced_of(PyThreadState* ts) {
    for (const displaced& d : *g_displaced)
        if (d.thread == ts) return &d;
    return nullptr;
}
} // namespace

void profiler_stop() {
    if (!g_running) return;
    PyThreadState* self = PyThreadState_Get();
    if (self->c_profilefunc != on_event) {
        warn_profiler_lost("another tool replaced timemory's profiling hook on this thread "
                           "(sys.setprofile, a debugger or a coverage tool)");
    }
    for_each_thread([](PyThreadState* ts) {
        if (ts->c_profilefunc != on_event) return;
        const displaced* d = displaced_of(ts);
        _PyEval_SetProfile(ts, d ? d->func : nullptr, d ? d->obj : nullptr);
    });
    for (displaced& d : *g_displaced)
        Py_XDECREF(d.obj);
    g_displaced->clear();
    set_threading_hook("setprofile", g_threading_hook ? g_threading_hook : Py_None);
    Py_CLEAR(g_threading_hook);
    g_running = false;
}

} // namespace tmpy
