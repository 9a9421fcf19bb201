// Small text helpers shared by every layer.
#pragma once

#include <cstddef>
#include <string>

namespace timemory::rt {

/// ASCII lower and upper case.
std::string lower(std::string s);
std::string upper(std::string s);
/// Without leading and trailing white space.
std::string trim(const std::string& s);
/// Levenshtein distance, for "did you mean" hints.
size_t edit_distance(const std::string& a, const std::string& b);
/// `s` safe to print on a terminal or in a table: control bytes (terminal escapes
/// included) and bytes that are not valid UTF-8 become `\xNN`; valid UTF-8 is kept.
std::string printable(const std::string& s);

} // namespace timemory::rt
