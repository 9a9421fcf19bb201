// Names of code addresses, for producers that only have a return address (OpenMP regions
// through OMPT). Off the hot path: each address is looked up once by its caller.
#pragma once

#include <string>

namespace timemory::rt {

/// `name` demangled (C++), or `name` itself when it is not a mangled name.
std::string demangle(const char* name);

/// The demangled name of the function holding `addr`: from the dynamic symbol table, else
/// from the module's own symbol table (.symtab, when the file was not stripped); "" when
/// neither knows it. `module` receives the module's file name and `offset` the address's
/// offset in it (for addr2line), when known.
std::string function_at(const void* addr, std::string* module = nullptr, size_t* offset = nullptr);

} // namespace timemory::rt
