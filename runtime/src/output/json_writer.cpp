#include "output/json_writer.hpp"

// RapidJSON asserts on misuse; a report writer must never abort its host, so a misuse
// (a bug of ours) writes malformed JSON instead, which the tests catch.
#define RAPIDJSON_ASSERT(x) ((void)0)
#include <rapidjson/stream.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <vector>

#include "base/text.hpp"
#include "output/file_io.hpp"

namespace timemory::rt {

// The writer's output: a buffer in front of the FILE*. Room is reserved once before each
// string or number, so that RapidJSON then writes its bytes without a check per byte (its
// FileWriteStream checks every byte), and text known to need no escaping is copied whole.
class out_stream {
public:
    using Ch = char;
    explicit out_stream(std::FILE* f) : f_(f), buf_(size_t(1) << 16) {}
    void Put(char c) {
        if (pos_ == buf_.size()) Flush();
        buf_[pos_++] = c;
    }
    void PutUnsafe(char c) { buf_[pos_++] = c; }
    void Reserve(size_t n) {
        if (buf_.size() - pos_ >= n) return;
        Flush();
        if (n > buf_.size()) buf_.resize(n);
    }
    void Write(const char* p, size_t n) {
        Reserve(n);
        std::memcpy(buf_.data() + pos_, p, n);
        pos_ += n;
    }
    void Flush() {
        if (pos_ > 0) std::fwrite(buf_.data(), 1, pos_, f_);
        pos_ = 0;
    }
    std::FILE* file() const { return f_; }

private:
    std::FILE* f_;
    std::vector<char> buf_;
    size_t pos_ = 0;
};

} // namespace timemory::rt

namespace rapidjson {
template <>
inline void PutReserve(timemory::rt::out_stream& s, size_t count) {
    s.Reserve(count);
}
template <>
inline void PutUnsafe(timemory::rt::out_stream& s, char c) {
    s.PutUnsafe(c);
}
} // namespace rapidjson

#include <rapidjson/prettywriter.h>
#include <rapidjson/writer.h>

namespace timemory::rt {

using stream_t = out_stream;
using compact_t = rapidjson::Writer<stream_t>;
using pretty_t = rapidjson::PrettyWriter<stream_t>;

struct json_writer::impl {
    stream_t stream;
    std::optional<compact_t> compact;
    std::optional<pretty_t> pretty;
    // The last number written, and its text: a node's statistics often repeat one value
    // (one call: its sum, mean, min and max), and formatting a double is the writer's
    // largest cost.
    uint64_t last_bits = ~uint64_t(0);
    char last_text[32];
    size_t last_size = 0;
    impl(std::FILE* f, int indent) : stream(f) {
        if (indent > 0) {
            pretty.emplace(stream);
            pretty->SetIndent(' ', unsigned(indent));
        } else {
            compact.emplace(stream);
        }
    }
};

namespace {
// Printable ASCII but '"' and '\\': written between quotes as it is.
bool plain_ascii(const char* p, size_t n) {
    unsigned bad = 0;
    for (size_t i = 0; i < n; ++i) {
        const unsigned char c = static_cast<unsigned char>(p[i]);
        bad |= unsigned(c < 0x20 || c >= 0x7f || c == '"' || c == '\\');
    }
    return bad == 0;
}
} // namespace

// Every call goes to whichever writer this one is: a branch, not a template per caller.
#define TM_JSON_CALL(expr) (p_->compact ? p_->compact->expr : p_->pretty->expr)

json_writer::json_writer(std::FILE* out, int indent) : p_(std::make_unique<impl>(out, indent)) {}
json_writer::~json_writer() {
    flush();
}

void json_writer::begin_object() {
    TM_JSON_CALL(StartObject());
}
void json_writer::end_object() {
    TM_JSON_CALL(EndObject());
}
void json_writer::begin_array() {
    TM_JSON_CALL(StartArray());
}
void json_writer::end_array() {
    TM_JSON_CALL(EndArray());
}

void json_writer::quoted(const char* p, size_t n) {
    // An empty raw value writes what must come before a key or value (a comma, a colon,
    // indentation) and counts it; the quoted text follows straight into the stream.
    TM_JSON_CALL(RawValue("", 0, rapidjson::kStringType));
    p_->stream.Reserve(n + 2);
    p_->stream.PutUnsafe('"');
    p_->stream.Write(p, n);
    p_->stream.PutUnsafe('"');
}

void json_writer::key(std::string_view k) {
    if (plain_ascii(k.data(), k.size())) {
        quoted(k.data(), k.size());
    } else if (is_valid_utf8(k)) {
        TM_JSON_CALL(Key(k.data(), rapidjson::SizeType(k.size())));
    } else {
        std::string v = valid_utf8(k);
        TM_JSON_CALL(Key(v.data(), rapidjson::SizeType(v.size()), true));
    }
}

void json_writer::key_ascii(const char* k, size_t n) {
    quoted(k, n);
}

void json_writer::value(std::string_view s) {
    if (plain_ascii(s.data(), s.size())) {
        quoted(s.data(), s.size());
    } else if (is_valid_utf8(s)) {
        TM_JSON_CALL(String(s.data(), rapidjson::SizeType(s.size())));
    } else {
        std::string v = valid_utf8(s);
        TM_JSON_CALL(String(v.data(), rapidjson::SizeType(v.size()), true));
    }
}

void json_writer::value(double x) {
    if (!std::isfinite(x)) {
        TM_JSON_CALL(Null());
        return;
    }
    uint64_t bits;
    std::memcpy(&bits, &x, sizeof(bits));
    if (bits != p_->last_bits) {
        // What RapidJSON's Double() writes (Grisu2, its default decimal places).
        char* end =
            rapidjson::internal::dtoa(x, p_->last_text, compact_t::kDefaultMaxDecimalPlaces);
        p_->last_size = size_t(end - p_->last_text);
        p_->last_bits = bits;
    }
    TM_JSON_CALL(RawValue(p_->last_text, p_->last_size, rapidjson::kNumberType));
}
void json_writer::value(int64_t x) {
    TM_JSON_CALL(Int64(x));
}
void json_writer::value(uint64_t x) {
    TM_JSON_CALL(Uint64(x));
}
void json_writer::value(bool b) {
    TM_JSON_CALL(Bool(b));
}
void json_writer::null() {
    TM_JSON_CALL(Null());
}
void json_writer::raw(std::string_view json) {
    TM_JSON_CALL(RawValue(json.data(), json.size(), rapidjson::kObjectType));
}
bool json_writer::raw_copy(std::FILE* in) {
    // An empty raw value writes what must come before a value (a comma, indentation) and
    // tells the writer one was written; the bytes follow straight into the stream.
    TM_JSON_CALL(RawValue("", 0, rapidjson::kObjectType));
    flush();
    return copy_stream(in, p_->stream.file());
}

void json_writer::flush() {
    p_->stream.Flush();
}

#undef TM_JSON_CALL

} // namespace timemory::rt
