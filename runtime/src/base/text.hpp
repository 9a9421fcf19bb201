// Small text helpers shared by every layer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

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
/// Whether `s` is valid UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
bool is_valid_utf8(std::string_view s);
/// `s` as valid UTF-8: each byte that does not start a valid sequence becomes U+FFFD.
std::string valid_utf8(std::string_view s);

} // namespace timemory::rt
