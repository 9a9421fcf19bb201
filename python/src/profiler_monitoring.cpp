// The profiler on CPython 3.12 and later: a sys.monitoring tool (PEP 669). Events reach
// C functions registered as the tool's callbacks (vectorcall, no Python frame), on every
// thread of the interpreter, without touching sys.setprofile: its users (the profile
// module, debuggers) and threading.setprofile keep working beside it.
//
// One logical call is one count on every version: PY_START opens a call, PY_YIELD
// suspends it (timemory_suspend), PY_RESUME and PY_THROW resume it (timemory_resume),
// PY_RETURN and PY_UNWIND end it. A generator closed early emits nothing on 3.12+ (the
// interpreter completes it without running its frame); the runtime counts such a call
// in the reports from its first suspension (settle_in_flight).
#include <Python.h>

#include <cstdarg>
#include <string>
#include <vector>

#if PY_VERSION_HEX < 0x030c0000
#error "sys.monitoring needs CPython 3.12 or later: build profiler_setprofile.cpp"
#endif

#include "hooks.hpp"

#include <timemory/timemory.h>

namespace tmpy {

namespace {

filter_config& g_config = profiler_config();
code_sites* g_sites = nullptr; // created at first start (needs the interpreter)
bool g_running = false;
int g_tool = -1; ///< the tool id held while running

// Python frames opened since profiling began on this thread, newest last. A return is
// matched against the top by code object (events of one thread nest properly); a return
// with no match is of a frame that began before profiling started (see on_close).
struct entered {
    PyObject* code; // identity only
    code_info* info;
    bool measured; // a region was opened (not skipped, not past the depth limit)
};
__thread std::vector<entered>* t_frames __attribute__((tls_model("initial-exec"))) = nullptr;

__attribute__((noinline)) std::vector<entered>& new_frames() {
    t_frames = new std::vector<entered>; // kept for the thread's life, like its graph
    t_frames->reserve(256);
    return *t_frames;
}

inline __attribute__((always_inline)) std::vector<entered>& frames() {
    if (__builtin_expect(t_frames != nullptr, 1)) return *t_frames;
    return new_frames();
}

inline code_info* info_of(PyObject* code) {
    return g_sites->get(reinterpret_cast<PyCodeObject*>(code));
}

inline PyObject* none() {
    Py_RETURN_NONE;
}

// --- callbacks: (code, offset, ...) -------------------------------------------------

enum class open_kind { start, resume };

template <open_kind Kind>
PyObject* on_open(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
    if (__builtin_expect(nargs < 1, 0)) return none();
    code_info* info = info_of(args[0]);
    auto& st = frames();
    const bool measured =
        !info->skip && long(st.size()) < g_config.max_stack_depth; // depth before push
    st.push_back({args[0], info, measured});
    if (measured) {
        if (Kind == open_kind::start)
            timemory_enter(&info->site);
        else
            timemory_resume(&info->site);
    }
    return none();
}

enum class close_kind { end, suspend };

template <close_kind Kind>
PyObject* on_close(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
    if (__builtin_expect(nargs < 1, 0)) return none();
    auto& st = frames();
    if (__builtin_expect(st.empty() || st.back().code != args[0], 0)) {
        // A frame that began before profiling started: the runtime ignores and counts
        // the exit, as with the profile hook of 3.11.
        code_info* info = info_of(args[0]);
        if (!info->skip) timemory_exit(&info->site);
        return none();
    }
    const entered e = st.back();
    st.pop_back();
    if (e.measured) {
        if (Kind == close_kind::suspend)
            timemory_suspend(&e.info->site);
        else
            timemory_exit(&e.info->site);
    }
    return none();
}

// CALL (code, offset, callable, arg0): only built-ins are measured here; a Python
// callee reports itself through PY_START.
timemory_site* builtin_of(PyObject* const* args, Py_ssize_t nargs) {
    return nargs >= 3 ? g_sites->builtin(args[2]) : nullptr;
}

PyObject* on_call(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
    if (timemory_site* s = builtin_of(args, nargs)) timemory_enter(s);
    return none();
}

PyObject* on_c_return(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
    if (timemory_site* s = builtin_of(args, nargs)) timemory_exit(s);
    return none();
}

// METH_FASTCALL functions are stored as PyCFunction, as CPython itself does.
PyCFunction fast(PyObject* (*fn)(PyObject*, PyObject* const*, Py_ssize_t)) {
    return reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(fn));
}

struct callback {
    const char* event; ///< attribute of sys.monitoring.events
    PyMethodDef def;
    bool c_calls; ///< only with Config.trace_c
};

callback g_callbacks[] = {
    {"PY_START",
     {"_timemory_py_start", fast(+on_open<open_kind::start>),
      METH_FASTCALL, nullptr},
     false},
    {"PY_RESUME",
     {"_timemory_py_resume", fast(+on_open<open_kind::resume>),
      METH_FASTCALL, nullptr},
     false},
    {"PY_THROW",
     {"_timemory_py_throw", fast(+on_open<open_kind::resume>),
      METH_FASTCALL, nullptr},
     false},
    {"PY_RETURN",
     {"_timemory_py_return", fast(+on_close<close_kind::end>),
      METH_FASTCALL, nullptr},
     false},
    {"PY_UNWIND",
     {"_timemory_py_unwind", fast(+on_close<close_kind::end>),
      METH_FASTCALL, nullptr},
     false},
    {"PY_YIELD",
     {"_timemory_py_yield", fast(+on_close<close_kind::suspend>),
      METH_FASTCALL, nullptr},
     false},
    {"CALL",
     {"_timemory_call", fast(+on_call), METH_FASTCALL, nullptr},
     true},
    {"C_RETURN",
     {"_timemory_c_return", fast(+on_c_return), METH_FASTCALL,
      nullptr},
     true},
    {"C_RAISE",
     {"_timemory_c_raise", fast(+on_c_return), METH_FASTCALL,
      nullptr},
     true},
};

// sys.monitoring (a borrowed reference, kept for the process's life), or nullptr.
PyObject* monitoring() {
    static PyObject* mod = nullptr;
    if (!mod) {
        PyObject* sys = PyImport_ImportModule("sys");
        mod = sys ? PyObject_GetAttrString(sys, "monitoring") : nullptr;
        Py_XDECREF(sys);
        PyErr_Clear();
    }
    return mod;
}

// sys.monitoring.<name>(args...) with the error cleared; true when it succeeded.
bool call_monitoring(const char* name, const char* format, ...) {
    PyObject* fn = monitoring() ? PyObject_GetAttrString(monitoring(), name) : nullptr;
    if (!fn) {
        PyErr_Clear();
        return false;
    }
    va_list va;
    va_start(va, format);
    PyObject* args = Py_VaBuildValue(format, va);
    va_end(va);
    PyObject* r = args ? PyObject_CallObject(fn, args) : nullptr;
    Py_XDECREF(args);
    Py_DECREF(fn);
    const bool ok = r != nullptr;
    Py_XDECREF(r);
    PyErr_Clear();
    return ok;
}

long event_bit(PyObject* events, const char* name) {
    PyObject* v = PyObject_GetAttrString(events, name);
    long bit = v ? PyLong_AsLong(v) : 0;
    Py_XDECREF(v);
    PyErr_Clear();
    return bit > 0 ? bit : 0;
}

// The name the tool id is registered under now, or "" (freed, or not readable).
std::string tool_name(int id) {
    std::string name;
    PyObject* fn = monitoring() ? PyObject_GetAttrString(monitoring(), "get_tool") : nullptr;
    PyObject* r = fn ? PyObject_CallFunction(fn, "i", id) : nullptr;
    if (r && PyUnicode_Check(r))
        if (const char* c = PyUnicode_AsUTF8(r)) name = c;
    Py_XDECREF(r);
    Py_XDECREF(fn);
    PyErr_Clear();
    return name;
}

// Claims a tool id named `name`, the profiler id (2) when it is free, as tools expect,
// else another id no standard tool uses (3, 4), and registers the callbacks (those of
// built-ins only with `c_calls`; every one `only` when given) and their events. The id,
// or -1 with a warning.
int install_tool(const char* name, bool c_calls, PyMethodDef* only) {
    if (!monitoring()) {
        warn("sys.monitoring is missing: the profiler measures nothing");
        return -1;
    }
    int id = -1;
    for (int candidate : {2, 3, 4})
        if (call_monitoring("use_tool_id", "(is)", candidate, name)) {
            id = candidate;
            break;
        }
    if (id < 0) {
        warn("sys.monitoring tool ids 2, 3 and 4 are all in use by other tools: the "
             "profiler measures nothing");
        return -1;
    }
    PyObject* events = PyObject_GetAttrString(monitoring(), "events");
    long mask = 0;
    for (callback& c : g_callbacks) {
        if (c.c_calls && !c_calls) continue;
        const long bit = events ? event_bit(events, c.event) : 0;
        if (!bit) continue;
        PyObject* fn = PyCFunction_New(only ? only : &c.def, nullptr);
        if (fn && call_monitoring("register_callback", "(ilO)", id, bit, fn)) mask |= bit;
        Py_XDECREF(fn);
    }
    Py_XDECREF(events);
    PyErr_Clear();
    call_monitoring("set_events", "(il)", id, mask);
    return id;
}

// Undoes install_tool: no events, no callbacks, the id freed.
void remove_tool(int id) {
    call_monitoring("set_events", "(il)", id, 0L);
    PyObject* events = PyObject_GetAttrString(monitoring(), "events");
    for (callback& c : g_callbacks) {
        const long bit = events ? event_bit(events, c.event) : 0;
        if (bit) call_monitoring("register_callback", "(ilO)", id, bit, Py_None);
    }
    Py_XDECREF(events);
    PyErr_Clear();
    call_monitoring("free_tool_id", "(i)", id);
}

// The benchmark floor: the same events reaching a C callback that does nothing.
PyObject* on_nothing(PyObject*, PyObject* const*, Py_ssize_t) {
    return none();
}
PyMethodDef g_nothing_def = {"_timemory_nothing", fast(+on_nothing), METH_FASTCALL, nullptr};
int g_empty_tool = -1;

} // namespace

bool profiler_running() {
    return g_running;
}

void profiler_start() {
    if (!g_sites) g_sites = new code_sites(&g_config);
    if (g_running) return;
    g_tool = install_tool("timemory", g_config.trace_c, nullptr);
    g_running = g_tool >= 0;
}

void profiler_stop() {
    if (!g_running) return;
    if (tool_name(g_tool) != "timemory") {
        // Someone freed our id (and may have taken it): theirs now, left alone.
        warn_profiler_lost("another tool freed timemory's sys.monitoring tool id");
    } else {
        remove_tool(g_tool);
    }
    g_tool = -1;
    g_running = false;
}

void empty_monitoring_start() {
    if (g_empty_tool < 0) g_empty_tool = install_tool("timemory-empty", false, &g_nothing_def);
}

void empty_monitoring_stop() {
    if (g_empty_tool >= 0) remove_tool(g_empty_tool);
    g_empty_tool = -1;
}

} // namespace tmpy
