// libFuzzer: settings from text. The first byte picks a setting and the rest is its value
// (assign), then the whole input is read as a config file (KEY = value lines or JSON).
// Every input is accepted or refused with a message; values stay in their ranges.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "settings/settings.hpp"

using namespace timemory::rt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    static const size_t n = settings::descriptors().size();
    settings::values v = settings::defaults();
    std::string err;
    const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (settings::assign(v, int(data[0] % n), text, &err)) settings::format(v, int(data[0] % n));
    if (v.max_depth < 1 || v.json_indent < 0 || v.precision < 0) __builtin_trap();
    // As a config file: an anonymous in-memory regular file.
    const int fd = memfd_create("timemory-fuzz-config", MFD_CLOEXEC);
    if (fd < 0) return 0;
    if (write(fd, data, size) == ssize_t(size))
        settings::load_config_file(v, "/proc/self/fd/" + std::to_string(fd));
    close(fd);
    return 0;
}
