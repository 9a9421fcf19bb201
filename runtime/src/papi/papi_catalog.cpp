// PAPI's components, described also where the build lacks PAPI (they say why then).
#include "backends/backend.hpp"

namespace timemory::rt {

std::vector<component> papi_components() {
    return {backend_group("papi", "papi_vector", "Dynamically allocated array of PAPI HW counters",
                          unit_kind::count),
            backend_group("papi", "papi_array", "Fixed-size array of PAPI HW counters",
                          unit_kind::count)};
}

} // namespace timemory::rt
