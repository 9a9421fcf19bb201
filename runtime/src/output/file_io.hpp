// Creating the output folder and writing files atomically.
#pragma once

#include <string>

namespace timemory::rt {

/// Creates `dir` and its parents. False (with `error` set) when it cannot.
bool make_dirs(const std::string& dir, std::string* error);

/// Writes `content` to `path` through a temporary file and a rename, so a reader never
/// sees a half-written report. False (with `error` set) on any failure; no partial file.
bool write_atomic(const std::string& path, const std::string& content, std::string* error);

} // namespace timemory::rt
