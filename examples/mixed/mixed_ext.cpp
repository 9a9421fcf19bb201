// A small C++ extension module, compiled with timemory-clang++ (see examples/CMakeLists.txt):
// its functions are instrumented by the plugin and report into the same call tree as the
// Python code that calls them.
#include <Python.h>

#include <cmath>

namespace numerics {

__attribute__((noinline)) double kernel(int i) {
    double s = 0;
    for (int k = 0; k < 2000; ++k)
        s += std::sin(i * 0.001 + k);
    return s;
}

__attribute__((noinline)) double solve(int n) {
    double total = 0;
    for (int i = 0; i < n; ++i)
        total += kernel(i);
    return total;
}

} // namespace numerics

static PyObject* py_solve(PyObject*, PyObject* args) {
    int n = 0;
    if (!PyArg_ParseTuple(args, "i", &n)) return nullptr;
    return PyFloat_FromDouble(numerics::solve(n));
}

static PyMethodDef methods[] = {
    {"solve", py_solve, METH_VARARGS, "Runs numerics::solve(n): n calls of numerics::kernel."},
    {nullptr, nullptr, 0, nullptr}};

static PyModuleDef module = {PyModuleDef_HEAD_INIT, "mixed_ext", "timemory mixed-language example",
                             -1, methods};

PyMODINIT_FUNC PyInit_mixed_ext(void) {
    return PyModule_Create(&module);
}
