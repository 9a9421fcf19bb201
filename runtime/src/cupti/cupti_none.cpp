// A build without CUPTI: cupti_activity exists and says why it is unavailable.
#include "cupti/cupti.hpp"

namespace timemory::rt::cupti {

bool available(std::string* why) {
    if (why)
        *why = "this build has no CUPTI support (the CUDA toolkit's CUPTI headers were not "
               "found when it was configured; set CUDAToolkit_ROOT)";
    return false;
}

std::vector<int> expand(const component&) {
    return {};
}

bool active() {
    return false;
}

result collect() {
    return {};
}

} // namespace timemory::rt::cupti
