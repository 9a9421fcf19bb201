#include "output/json_writer.hpp"

// RapidJSON asserts on misuse; a report writer must never abort its host, so a misuse
// (a bug of ours) writes malformed JSON instead, which the tests catch.
#define RAPIDJSON_ASSERT(x) ((void)0)
#include <rapidjson/filewritestream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <optional>

#include "base/text.hpp"
#include "output/file_io.hpp"

namespace timemory::rt {

using stream_t = rapidjson::FileWriteStream;
using compact_t = rapidjson::Writer<stream_t>;
using pretty_t = rapidjson::PrettyWriter<stream_t>;

struct json_writer::impl {
    char buffer[1 << 16];
    std::FILE* out;
    stream_t stream;
    std::optional<compact_t> compact;
    std::optional<pretty_t> pretty;
    impl(std::FILE* f, int indent) : out(f), stream(f, buffer, sizeof(buffer)) {
        if (indent > 0) {
            pretty.emplace(stream);
            pretty->SetIndent(' ', unsigned(indent));
        } else {
            compact.emplace(stream);
        }
    }
};

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

void json_writer::key(std::string_view k) {
    if (is_valid_utf8(k)) {
        TM_JSON_CALL(Key(k.data(), rapidjson::SizeType(k.size())));
    } else {
        std::string v = valid_utf8(k);
        TM_JSON_CALL(Key(v.data(), rapidjson::SizeType(v.size()), true));
    }
}

void json_writer::key_ascii(const char* k, size_t n) {
    TM_JSON_CALL(Key(k, rapidjson::SizeType(n)));
}

void json_writer::value(std::string_view s) {
    if (is_valid_utf8(s)) {
        TM_JSON_CALL(String(s.data(), rapidjson::SizeType(s.size())));
    } else {
        std::string v = valid_utf8(s);
        TM_JSON_CALL(String(v.data(), rapidjson::SizeType(v.size()), true));
    }
}

void json_writer::value(double x) {
    if (std::isfinite(x))
        TM_JSON_CALL(Double(x));
    else
        TM_JSON_CALL(Null());
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
    return copy_stream(in, p_->out);
}

void json_writer::flush() {
    p_->stream.Flush();
}

#undef TM_JSON_CALL

} // namespace timemory::rt
