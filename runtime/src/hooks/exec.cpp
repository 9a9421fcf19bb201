// The exec family: exec replaces the process's image, and with it everything recorded, so
// the reports are written just before (finalize), as at exit. The wrappers are found before
// the C library's; each calls the real function, resolved when the library loads.
//
// Not written: in a vfork child (or any clone that shares the parent's memory: its pid is
// not the one the runtime's state belongs to), whose runtime state is its parent's, which
// goes on; nor in a likely signal handler (exec is async-signal-safe, writing is not).
// When exec fails, the process goes on unmeasured: its reports were written.
#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstddef>

#include "hooks/hooks.hpp"
#include "runtime/runtime.hpp"

namespace timemory::rt {

namespace {

using execve_fn = int (*)(const char*, char* const[], char* const[]);
using execv_fn = int (*)(const char*, char* const[]);
using fexecve_fn = int (*)(int, char* const[], char* const[]);

execve_fn g_execve = nullptr, g_execvpe = nullptr;
execv_fn g_execv = nullptr, g_execvp = nullptr;
fexecve_fn g_fexecve = nullptr;

__attribute__((constructor)) void resolve_exec() {
    g_execve = reinterpret_cast<execve_fn>(dlsym(RTLD_NEXT, "execve"));
    g_execvpe = reinterpret_cast<execve_fn>(dlsym(RTLD_NEXT, "execvpe"));
    g_execv = reinterpret_cast<execv_fn>(dlsym(RTLD_NEXT, "execv"));
    g_execvp = reinterpret_cast<execv_fn>(dlsym(RTLD_NEXT, "execvp"));
    g_fexecve = reinterpret_cast<fexecve_fn>(dlsym(RTLD_NEXT, "fexecve"));
}

// An exec wrapper whose real function could not be found fails as exec does.
int no_exec() {
    errno = ENOSYS;
    return -1;
}

} // namespace

void before_exec() noexcept {
    runtime& r = rt_state();
    if (r.state.load() != int(run_state::running) || getpid() != r.owner_pid.load() ||
        maybe_in_signal_handler())
        return;
    finalize();
}

} // namespace timemory::rt

using namespace timemory::rt;

namespace {
// The arguments of execl/execlp/execle after `first`, up to the null one, as an argv array
// on the caller's stack; `envp` gets the one after it (execle).
#define TIMEMORY_COLLECT_ARGS(first, argv, envp)                                                   \
    size_t n = 1;                                                                                  \
    {                                                                                              \
        va_list count;                                                                             \
        va_copy(count, ap);                                                                        \
        while (va_arg(count, char*))                                                               \
            ++n;                                                                                   \
        va_end(count);                                                                             \
    }                                                                                              \
    char** argv = static_cast<char**>(__builtin_alloca((n + 1) * sizeof(char*)));                  \
    argv[0] = const_cast<char*>(first);                                                            \
    for (size_t i = 1; i <= n; ++i)                                                                \
        argv[i] = va_arg(ap, char*);                                                               \
    char* const* envp = environ;                                                                   \
    (void)envp
} // namespace

extern "C" {

__attribute__((visibility("default"))) int execve(const char* path, char* const argv[],
                                                  char* const envp[]) {
    before_exec();
    return g_execve ? g_execve(path, argv, envp) : no_exec();
}

__attribute__((visibility("default"))) int execvpe(const char* file, char* const argv[],
                                                   char* const envp[]) {
    before_exec();
    return g_execvpe ? g_execvpe(file, argv, envp) : no_exec();
}

__attribute__((visibility("default"))) int execv(const char* path, char* const argv[]) {
    before_exec();
    return g_execv ? g_execv(path, argv) : no_exec();
}

__attribute__((visibility("default"))) int execvp(const char* file, char* const argv[]) {
    before_exec();
    return g_execvp ? g_execvp(file, argv) : no_exec();
}

__attribute__((visibility("default"))) int fexecve(int fd, char* const argv[], char* const envp[]) {
    before_exec();
    return g_fexecve ? g_fexecve(fd, argv, envp) : no_exec();
}

__attribute__((visibility("default"))) int execl(const char* path, const char* arg, ...) {
    va_list ap;
    va_start(ap, arg);
    TIMEMORY_COLLECT_ARGS(arg, argv, envp);
    va_end(ap);
    before_exec();
    return g_execv ? g_execv(path, argv) : no_exec();
}

__attribute__((visibility("default"))) int execlp(const char* file, const char* arg, ...) {
    va_list ap;
    va_start(ap, arg);
    TIMEMORY_COLLECT_ARGS(arg, argv, envp);
    va_end(ap);
    before_exec();
    return g_execvp ? g_execvp(file, argv) : no_exec();
}

__attribute__((visibility("default"))) int execle(const char* path, const char* arg, ...) {
    va_list ap;
    va_start(ap, arg);
    TIMEMORY_COLLECT_ARGS(arg, argv, envp);
    envp = va_arg(ap, char* const*); // after the null that ends the arguments
    va_end(ap);
    before_exec();
    return g_execve ? g_execve(path, argv, envp) : no_exec();
}

} // extern "C"
