// Name filters: RE2 (linear time, bounded stack) through libtimemory-regex.so, opened on
// first use.
#pragma once

#include <memory>
#include <string>

namespace timemory::rt {

/// One compiled filter. RE2 syntax (POSIX-like: `^solve`, `(init|fini)$`, `::detail::`;
/// no backreferences or lookaround).
class name_filter {
public:
    /// Compiles `pattern`; nullptr with `error` set when it is not valid RE2 syntax or
    /// libtimemory-regex.so cannot be opened (the message says which).
    static std::unique_ptr<name_filter> compile(const std::string& pattern, std::string* error);
    ~name_filter();
    name_filter(const name_filter&) = delete;
    name_filter& operator=(const name_filter&) = delete;
    /// True when the filter matches somewhere in `text` (time linear in its length).
    bool search(const char* text) const noexcept;

private:
    explicit name_filter(void* re) : re_(re) {}
    void* re_;
};

} // namespace timemory::rt
