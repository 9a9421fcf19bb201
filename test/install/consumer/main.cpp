#include <timemory/timemory.hpp>
#include <timemory/version.h>

#include <cstdio>

int main() {
    { TIMEMORY_MARKER("installed"); }
    std::printf("timemory %s\n", TIMEMORY_VERSION_STRING);
    return 0;
}
