// Shortening long C++ names for the text table (the data files keep them whole).
#pragma once

#include <cstddef>
#include <string>

namespace timemory::rt {

/// `name` in at most `max` bytes (0: no limit), shortened in steps that keep it
/// recognisable: template argument lists, innermost first, become "<...>"; then parameter
/// lists, innermost first, become "(...)"; then the middle is cut ("head...tail"). The
/// `<` of `operator<`, `operator<<`, `operator<=>` and the `>` of `operator->` are not
/// brackets. A name that fits is returned as it is.
std::string shorten_name(const std::string& name, size_t max);

} // namespace timemory::rt
