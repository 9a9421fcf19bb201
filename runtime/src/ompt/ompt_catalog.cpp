// OMPT adds no component: it places OpenMP work in the call graph of every component.
#include "backends/backend.hpp"

namespace timemory::rt {

std::vector<component> ompt_components() {
    return {};
}

} // namespace timemory::rt
