// The host's floating-point environment, kept as the host left it.
#pragma once

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

} // namespace timemory::rt
