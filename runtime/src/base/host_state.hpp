// What of a host thread's state the runtime must leave as it found it: the floating-point
// environment and errno. Signal dispositions are kept by hooks/signals.cpp.
#pragma once

#include <sys/auxv.h>

#include <cerrno>
#include <cfenv>

namespace timemory::rt {

/// Saves the calling thread's floating-point environment (exception flags, rounding mode,
/// enabled traps), then clears the flags, masks every trap and rounds to nearest for the
/// runtime's own work; the destructor puts the saved environment back. Wraps every
/// runtime step that computes in floating point on a host thread (start-up calibration,
/// settings, reports, stand-alone measurements): a program that checks
/// fetestexcept(FE_ALL_EXCEPT), or runs with feenableexcept, sees nothing of it. The hot
/// path computes in integers and needs no guard.
class fp_env_guard {
public:
    fp_env_guard() noexcept {
        feholdexcept(&saved_);
        fesetround(FE_TONEAREST);
    }
    ~fp_env_guard() { fesetenv(&saved_); }
    fp_env_guard(const fp_env_guard&) = delete;
    fp_env_guard& operator=(const fp_env_guard&) = delete;

private:
    fenv_t saved_;
};

/// Whether this is a secure-execution process (set-uid, set-gid or file capabilities:
/// AT_SECURE): its environment, its working folder and its user's files belong to someone
/// less privileged than the process. The runtime then reads no TIMEMORY_* variable and no
/// config file, does not start, and writes nothing.
inline bool secure_execution() noexcept {
    return getauxval(AT_SECURE) != 0;
}

/// Restores errno when it goes out of scope: wraps every runtime step that may make a
/// failing system call on a host thread (start-up reads config files that may not exist,
/// registration, thread exit, reports), so the program's errno never changes under it.
class errno_guard {
public:
    errno_guard() noexcept : saved_(errno) {}
    ~errno_guard() { errno = saved_; }
    errno_guard(const errno_guard&) = delete;
    errno_guard& operator=(const errno_guard&) = delete;

private:
    int saved_;
};

} // namespace timemory::rt
