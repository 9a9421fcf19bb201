// libFuzzer: the binary result decoder (rank 0 decodes every MPI rank's buffer with it).
// Any input is either refused with std::runtime_error or decodes to a result that encodes
// back to the same bytes (every field is checked, none is normalised silently); nothing is
// read or written out of bounds (ASan, UBSan).
#include <cstdint>
#include <stdexcept>
#include <string>

#include "timemory/timemory.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    timemory::result r;
    try {
        r = timemory::decode(bytes);
    } catch (const std::runtime_error&) {
        return 0; // refused, by name
    }
    if (timemory::encode(r) != bytes) __builtin_trap(); // accepted input must round-trip
    return 0;
}
