#include "code_sites.hpp"

#include <Python.h>
#include <frameobject.h>
#include <timemory/timemory.h>
#include <unistd.h>

namespace tmpy {

namespace {

int op_yield_value = -1;
int op_return_generator = -1;
int op_resume = -1;

// Code objects outlive nothing we hold: the info must stay for the runtime's registry.
void keep_code_info(void*) {}

std::string text_of(PyObject* s) {
    if (!s || !PyUnicode_Check(s)) return "";
    const char* c = PyUnicode_AsUTF8(s);
    return c ? c : "";
}

// A file as labels show it: its path below the longest sys.path entry that holds it (the
// module's path, "concurrent/futures/__init__.py"), so that two files of one base name
// are told apart in every report; a name that is not a path ("<frozen zipimport>",
// "<string>") or a relative one as it is; an absolute path on no entry in full.
std::string module_path(const std::string& file) {
    if (file.empty() || file[0] != '/') return file;
    PyObject* path = PySys_GetObject("path"); // borrowed
    size_t best = 0;
    if (path && PyList_Check(path)) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(path); ++i) {
            std::string entry = text_of(PyList_GET_ITEM(path, i));
            if (entry.empty()) { // the current folder
                char cwd[4096];
                if (!getcwd(cwd, sizeof(cwd))) continue;
                entry = cwd;
            }
            while (entry.size() > 1 && entry.back() == '/')
                entry.pop_back();
            if (entry.size() + 1 > best && file.size() > entry.size() + 1 &&
                file.compare(0, entry.size(), entry) == 0 && file[entry.size()] == '/')
                best = entry.size() + 1;
        }
    }
    PyErr_Clear();
    return file.substr(best);
}

bool any_search(const std::vector<std::regex>& res, const std::string& text) {
    for (const auto& re : res)
        if (std::regex_search(text, re)) return true;
    return false;
}

} // namespace

void load_opcodes() {
    PyObject* dis = PyImport_ImportModule("dis");
    if (!dis) {
        PyErr_Clear();
        return;
    }
    PyObject* opmap = PyObject_GetAttrString(dis, "opmap");
    if (opmap) {
        if (PyObject* v = PyDict_GetItemString(opmap, "YIELD_VALUE"))
            op_yield_value = int(PyLong_AsLong(v));
        if (PyObject* v = PyDict_GetItemString(opmap, "RETURN_GENERATOR"))
            op_return_generator = int(PyLong_AsLong(v));
        if (PyObject* v = PyDict_GetItemString(opmap, "RESUME")) op_resume = int(PyLong_AsLong(v));
    }
    Py_XDECREF(opmap);
    Py_DECREF(dis);
    PyErr_Clear();
}

code_sites::code_sites(filter_config* config)
    : index_(request_code_extra_index(keep_code_info)), config_(config) {
    verify_extra_layout(index_);
}

void code_sites::verify_extra_layout(Py_ssize_t index) {
    // A fresh code object with a known value in our slot: both ways must agree.
    PyObject* code = reinterpret_cast<PyObject*>(PyCode_NewEmpty("<timemory>", "probe", 1));
    if (!code) {
        PyErr_Clear();
        return;
    }
    static int marker;
    bool ok = code_set_extra(code, index, &marker) == 0;
    if (ok) {
        auto* ex =
            static_cast<const extra_layout*>(reinterpret_cast<PyCodeObject*>(code)->co_extra);
        void* via_api = nullptr;
        ok = code_get_extra(code, index, &via_api) == 0 && via_api == &marker && ex &&
             index < ex->size && ex->slots[index] == &marker;
    }
    PyErr_Clear();
    Py_DECREF(code);
    if (ok) direct_extra_ = true;
}

void code_sites::decide(code_info* info, PyCodeObject* code) {
    const filter_config& c = *config_;
    const std::string& fn = info->name;
    const std::string& file = info->file;
    bool skip = false;
    if (!c.only_functions.empty() && !any_search(c.only_functions, fn)) skip = true;
    if (!c.only_filenames.empty() && !any_search(c.only_filenames, file)) skip = true;
    if (any_search(c.skip_functions, fn) || any_search(c.skip_filenames, file)) skip = true;
    info->skip = skip;

    // The label: the configured decoration of the qualified name (the file and line stay
    // in the site's own fields either way).
    std::string label = fn;
    if (c.include_args) {
        std::string args;
        PyObject* names = PyCode_GetVarnames(code);
        if (names) {
            Py_ssize_t n = code->co_argcount + code->co_kwonlyargcount;
            for (Py_ssize_t i = 0; i < n && i < PyTuple_GET_SIZE(names); ++i)
                args += (i ? ", " : "") + text_of(PyTuple_GET_ITEM(names, i));
            Py_DECREF(names);
        }
        PyErr_Clear();
        label += "(" + args + ")";
    }
    if (c.include_filename) {
        label += "/" + (c.full_filepath ? file : module_path(file));
        if (c.include_line) label += ":" + std::to_string(code->co_firstlineno);
    } else if (c.include_line) {
        label += ":" + std::to_string(code->co_firstlineno);
    }
    // The runtime keeps the pointer it registered; a relabelled site needs new storage.
    if (!info->site.name || label != info->site.name) {
        auto* stable = new std::string(label); // leaked on purpose: the registry points at it
        info->site.name = stable->c_str();
    }
    info->generation = c.generation;
}

code_info* code_sites::get_slow(PyCodeObject* code, code_info* existing) {
    PyErr_Clear();
    if (existing) {
        decide(existing, code);
        return existing;
    }
    auto* info = new code_info;
    info->name = text_of(code->co_qualname);
    info->file = text_of(code->co_filename);
    info->resumable = code->co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR);
    if (info->resumable) {
        if (PyObject* bytes = PyCode_GetCode(code)) {
            info->bytecode.assign(PyBytes_AS_STRING(bytes), size_t(PyBytes_GET_SIZE(bytes)));
            Py_DECREF(bytes);
        }
        PyErr_Clear();
    }
    auto* linkage = new std::string(info->file + ":" + info->name);
    info->site.flags = TIMEMORY_LANG_PYTHON;
    info->site.linkage = linkage->c_str();
    info->site.file = info->file.c_str();
    info->site.line = uint32_t(code->co_firstlineno);
    info->site.abi = TIMEMORY_SITE_ABI;
    decide(info, code);
    if (code_set_extra(reinterpret_cast<PyObject*>(code), index_, info) != 0) PyErr_Clear();
    return info;
}

timemory_site* code_sites::builtin(PyObject* callable) {
    const PyMethodDef* def;
    PyObject* self = nullptr;
    const char* owner = nullptr;
    if (PyCFunction_Check(callable)) {
        auto* fn = reinterpret_cast<PyCFunctionObject*>(callable);
        def = fn->m_ml;
        self = fn->m_self;
    } else if (Py_IS_TYPE(callable, &PyMethodDescr_Type)) {
        // sys.monitoring's CALL of `obj.method(...)` gives the unbound method descriptor
        // (the profile hook of 3.11 gives the bound built-in): the same site either way.
        auto* d = reinterpret_cast<PyMethodDescrObject*>(callable);
        def = d->d_method;
        owner = d->d_common.d_type ? d->d_common.d_type->tp_name : nullptr;
    } else {
        return nullptr;
    }
    const void* key = def;
    auto it = builtins_.find(key);
    if (it != builtins_.end()) return it->second;
    std::string name = def->ml_name;
    if (owner) {
        name = std::string(owner) + "." + name;
    } else if (self && PyModule_Check(self)) {
        const char* mod = PyModule_GetName(self);
        if (mod) name = std::string(mod) + "." + name;
    } else if (self) {
        name = std::string(Py_TYPE(self)->tp_name) + "." + name;
    }
    PyErr_Clear();
    timemory_site* site =
        timemory_intern_site(name.c_str(), nullptr, "<built-in>", 0, TIMEMORY_LANG_PYTHON);
    builtins_.emplace(key, site);
    return site;
}

bool code_sites::suspending(const code_info* info, PyFrameObject* frame) {
    int lasti = PyFrame_GetLasti(frame); // byte offset of the last instruction
    if (lasti < 0 || size_t(lasti) >= info->bytecode.size()) return false;
    int op = static_cast<unsigned char>(info->bytecode[size_t(lasti)]);
    return op == op_yield_value || op == op_return_generator;
}

bool code_sites::resuming(const code_info* info, PyFrameObject* frame) {
    const int lasti = PyFrame_GetLasti(frame);
    if (lasti < 0 || size_t(lasti) + 1 >= info->bytecode.size()) return false;
    const int op = static_cast<unsigned char>(info->bytecode[size_t(lasti)]);
    const int arg = static_cast<unsigned char>(info->bytecode[size_t(lasti) + 1]);
    // A call starts at RESUME 0. Anywhere else it continues: RESUME 1-3 after a yield,
    // yield from or await; the YIELD_VALUE itself for throw() and close(); the loop of a
    // `yield from` when the delegate raised.
    return !(op == op_resume && arg == 0);
}

} // namespace tmpy
