// A JSON writer that streams to a FILE*: reports of any size are written as they are
// produced, never built as a document in memory first.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace timemory::rt {

/// Writes JSON text to `out` through RapidJSON's writer: compact, or indented by `indent`
/// spaces. Strings that are not valid UTF-8 (a name or a path from anywhere) are written
/// with U+FFFD in place of each bad byte; NaN and infinities are written as null. Calls
/// must form valid JSON (keys inside objects only); the caller checks the stream's errors.
class json_writer {
public:
    json_writer(std::FILE* out, int indent);
    ~json_writer();
    json_writer(const json_writer&) = delete;
    json_writer& operator=(const json_writer&) = delete;

    void begin_object();
    void end_object();
    void begin_array();
    void end_array();
    void key(std::string_view k);
    /// A key written in the source (ASCII, nothing to validate): the common case.
    template <size_t N>
    void key(const char (&k)[N]) {
        key_ascii(k, N - 1);
    }
    void value(std::string_view s);
    void value(const char* s) { value(std::string_view(s)); }
    void value(const std::string& s) { value(std::string_view(s)); }
    void value(double x);
    void value(int64_t x);
    void value(uint64_t x);
    void value(int x) { value(int64_t(x)); }
    void value(unsigned x) { value(uint64_t(x)); }
    void value(bool b);
    void null();
    /// `k` then `v`: the common case of one member.
    template <size_t N, typename T>
    void member(const char (&k)[N], const T& v) {
        key_ascii(k, N - 1);
        value(v);
    }
    template <typename T>
    void member(std::string_view k, const T& v) {
        key(k);
        value(v);
    }
    /// Text already in JSON form (a value produced elsewhere), written as it is.
    void raw(std::string_view json);
    /// A value whose JSON text is read from `in` to its end and written as it is (another
    /// process's part of the document). False when `in` could not be read to its end: the
    /// document is then incomplete, and the caller must not keep it.
    bool raw_copy(std::FILE* in);
    /// Pushes buffered text to the FILE* (then fflush/ferror tell whether it all went).
    void flush();

private:
    void key_ascii(const char* k, size_t n);
    void quoted(const char* p, size_t n); ///< `"p"`: text that needs no escaping
    struct impl;
    std::unique_ptr<impl> p_;
};

} // namespace timemory::rt
