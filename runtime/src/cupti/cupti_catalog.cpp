// CUPTI's component, described also where the build lacks CUPTI (it says why then).
#include "backends/backend.hpp"

namespace timemory::rt {

std::vector<component> cupti_components() {
    return {backend_group("cupti", "cupti_activity", "Wall-clock execution timing for the CUDA API",
                          unit_kind::time)};
}

} // namespace timemory::rt
