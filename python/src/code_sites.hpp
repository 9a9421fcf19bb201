// Sites for Python code objects and built-in functions, cached where an event finds them
// without hashing: a code object's extra-data slot, or (built-ins) a map keyed by the
// address of their method definition.
#pragma once

#include <Python.h>

#include <cstdint>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include <timemory/site.h>

namespace tmpy {

// A code object's extra-data slots: public but "unstable" API, renamed in 3.12.
#if PY_VERSION_HEX >= 0x030c0000
inline int code_get_extra(PyObject* c, Py_ssize_t i, void** v) {
    return PyUnstable_Code_GetExtra(c, i, v);
}
inline int code_set_extra(PyObject* c, Py_ssize_t i, void* v) {
    return PyUnstable_Code_SetExtra(c, i, v);
}
inline Py_ssize_t request_code_extra_index(freefunc f) {
    return PyUnstable_Eval_RequestCodeExtraIndex(f);
}
#else
inline int code_get_extra(PyObject* c, Py_ssize_t i, void** v) {
    return _PyCode_GetExtra(c, i, v);
}
inline int code_set_extra(PyObject* c, Py_ssize_t i, void* v) {
    return _PyCode_SetExtra(c, i, v);
}
inline Py_ssize_t request_code_extra_index(freefunc f) {
    return _PyEval_RequestCodeExtraIndex(f);
}
#endif

/// The filters and label options of timemory.profiler.Config (and the Tracer's).
struct filter_config {
    std::vector<std::regex> only_functions, only_filenames, skip_functions, skip_filenames;
    bool include_line = true;
    bool include_filename = true;
    bool full_filepath = false;
    bool include_args = false;
    bool trace_c = false;
    long max_stack_depth = 0x7fffffff;
    uint64_t generation = 1; ///< bumped on every change: cached decisions are redone
};

/// What the profiler keeps per code object. Never freed: the runtime's registry points at
/// the site for the life of the process (reports name it), and code objects are few.
struct code_info {
    timemory_site site{};
    std::string name, file;
    uint64_t generation = 0;
    bool skip = false;
    bool resumable = false; ///< generator or coroutine: a RETURN may be a suspension
    std::string bytecode;   ///< de-specialised co_code, for resumable code only
    std::unordered_map<int, timemory_site*> lines; ///< Tracer: one site per line
};

/// The site cache for one kind of hook (profiler or tracer: each its own extra slot).
class code_sites {
public:
    explicit code_sites(filter_config* config);

    /// The info of `code`, created on first use; filter decision redone when stale.
    code_info* get(PyCodeObject* code) {
        void* extra = read_extra(code);
        if (__builtin_expect(extra != nullptr, 1)) {
            auto* info = static_cast<code_info*>(extra);
            if (__builtin_expect(info->generation == config_->generation, 1)) return info;
        }
        return get_slow(code, static_cast<code_info*>(extra));
    }

    /// The site of a built-in (PyCFunction) callable, or nullptr when it is not one.
    timemory_site* builtin(PyObject* callable);

    /// True when `frame` (of resumable code) is stopping at a yield, not returning.
    static bool suspending(const code_info* info, PyFrameObject* frame);
    /// True when `frame` (of resumable code) is being resumed after a yield (or thrown
    /// into), not starting: a call event of the profile hook (3.11).
    static bool resuming(const code_info* info, PyFrameObject* frame);

    /// Checks once that co_extra has the layout read_extra() assumes; false: the slower
    /// public _PyCode_GetExtra is used instead.
    static void verify_extra_layout(Py_ssize_t index);

private:
    // CPython keeps a code object's extra slots as {Py_ssize_t size; void* slots[]} behind
    // co_extra (Objects/codeobject.c, unchanged since 3.6); reading it here saves a call
    // per event. verify_extra_layout() proves it against _PyCode_GetExtra first.
    struct extra_layout {
        Py_ssize_t size;
        void* slots[1];
    };
    static inline bool direct_extra_ = false;

    void* read_extra(PyCodeObject* code) const {
        if (__builtin_expect(direct_extra_, 1)) {
            auto* ex = static_cast<const extra_layout*>(code->co_extra);
            return ex && index_ < ex->size ? ex->slots[index_] : nullptr;
        }
        void* extra = nullptr;
        if (code_get_extra(reinterpret_cast<PyObject*>(code), index_, &extra) != 0) {
            PyErr_Clear();
            return nullptr;
        }
        return extra;
    }

    code_info* get_slow(PyCodeObject* code, code_info* existing);
    void decide(code_info* info, PyCodeObject* code);
    Py_ssize_t index_;
    filter_config* config_;
    std::unordered_map<const void*, timemory_site*> builtins_;
};

/// Opcodes read from the running interpreter's `dis` module at import.
void load_opcodes();

} // namespace tmpy
