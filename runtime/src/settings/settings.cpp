#include "settings/settings.hpp"

#include "base/host_state.hpp"

#include <algorithm>
#include <cctype>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/log.hpp"
#include "base/regex.hpp"
#include "base/text.hpp"
#include "settings/units.hpp"

namespace timemory::rt::settings {

namespace {

template <typename T>
kind kind_of();
template <>
kind kind_of<bool>() {
    return kind::boolean;
}
template <>
kind kind_of<long>() {
    return kind::integer;
}
template <>
kind kind_of<std::string>() {
    return kind::text;
}

bool parse_value(const std::string& text, bool* out, std::string* err) {
    if (parse_bool(text, out)) return true;
    if (err) *err = "expected ON/OFF, TRUE/FALSE, YES/NO or 1/0";
    return false;
}

bool parse_value(const std::string& text, long* out, std::string* err) {
    std::string t = trim(text);
    errno = 0;
    char* end = nullptr;
    long v = std::strtol(t.c_str(), &end, 10);
    if (t.empty() || *end != '\0' || errno == ERANGE) {
        if (err) *err = "expected an integer";
        return false;
    }
    *out = v;
    return true;
}

bool parse_value(const std::string& text, std::string* out, std::string*) {
    *out = trim(text);
    return true;
}

std::string format_value(bool v) {
    return v ? "ON" : "OFF";
}
std::string format_value(long v) {
    return std::to_string(v);
}
std::string format_value(const std::string& v) {
    return v;
}

bool valid_regex(const std::string& text, std::string* err) {
    return text.empty() || name_filter::compile(text, err) != nullptr;
}

// Range and vocabulary checks beyond the type, for the setting just parsed.
bool validate(const values& v, const std::string& name, std::string* err) {
    if (name == "max_depth" && v.max_depth < 1) return *err = "must be at least 1", false;
    if (name == "max_depth" && v.max_depth > 4294967294)
        return *err = "must be at most 4294967294", false;
    if (name == "throttle_count" && v.throttle_count > 4294967295)
        return *err = "must be at most 4294967295", false;
    if (name == "throttle_value" && v.throttle_value > 3600000000000)
        return *err = "must be at most 3600000000000 (an hour)", false;
#define TIMEMORY_SETTING(type, n, def, desc)
#define TIMEMORY_SETTING_RANGE(n, lo, hi)                                                          \
    if (name == #n && (v.n < (lo) || v.n > (hi)))                                                  \
        return *err = "must be between " #lo " and " #hi, false;
#include "settings/settings.inc"
#undef TIMEMORY_SETTING_RANGE
#undef TIMEMORY_SETTING
    if (name == "precision" && (v.precision < 0 || v.precision > 15))
        return *err = "must be between 0 and 15", false;
    if (name == "width" && (v.width < 0 || v.width > 256))
        return *err = "must be between 0 and 256", false;
    if (name == "max_label_width" && v.max_label_width != 0 &&
        (v.max_label_width < 24 || v.max_label_width > 100000))
        return *err = "must be 0 (no limit) or between 24 and 100000", false;
    if (name == "timing_units" && !find_timing_unit(v.timing_units, nullptr))
        return *err = "unknown time unit (auto, ns, us, ms, sec, min, hr)", false;
    if (name == "memory_units" && !find_memory_unit(v.memory_units, nullptr))
        return *err = "unknown memory unit (auto, B, KB, MB, GB, KiB, MiB, GiB)", false;
    if ((name == "throttle_count" && v.throttle_count < 0) ||
        (name == "throttle_value" && v.throttle_value < 0))
        return *err = "must not be negative", false;
    if (name == "json_indent" && (v.json_indent < 0 || v.json_indent > 16))
        return *err = "must be between 0 and 16", false;
    if (name == "throttle_sample" && (v.throttle_sample < 0 || v.throttle_sample > 1000000000))
        return *err = "must be between 0 and 1000000000", false;
    if (name == "output_prefix" && v.output_prefix.find('/') != std::string::npos)
        return *err = "a prefix of file names cannot hold '/' (the folder is "
                      "TIMEMORY_OUTPUT_PATH)",
               false;
    if (name == "include" && !valid_regex(v.include, err)) return false;
    if (name == "exclude" && !valid_regex(v.exclude, err)) return false;
    if (name == "wall_clock_source" && v.wall_clock_source != "auto" &&
        v.wall_clock_source != "tsc" && v.wall_clock_source != "monotonic")
        return *err = "expected auto, tsc or monotonic", false;
    return true;
}

struct alias {
    const char* from;
    const char* to;
};
const alias aliases[] = {{"global_components", "components"}};

} // namespace

bool parse_bool(const std::string& text, bool* out) {
    std::string t = lower(trim(text));
    if (t == "on" || t == "true" || t == "yes" || t == "1" || t == "y" || t == "t") {
        *out = true;
        return true;
    }
    if (t == "off" || t == "false" || t == "no" || t == "0" || t == "n" || t == "f") {
        *out = false;
        return true;
    }
    return false;
}

std::string descriptor::env_name() const {
    return "TIMEMORY_" + upper(name);
}

const std::vector<descriptor>& descriptors() {
    static const auto* list = new std::vector<descriptor>{
#define TIMEMORY_SETTING(type, name, def, desc) {#name, kind_of<type>(), def, desc},
#include "settings/settings.inc"
#undef TIMEMORY_SETTING
    };
    return *list;
}

int find(const std::string& name) {
    std::string n = lower(trim(name));
    if (n.rfind("timemory_", 0) == 0) n = n.substr(9);
    for (const auto& a : aliases)
        if (n == a.from) n = a.to;
    const auto& d = descriptors();
    for (size_t i = 0; i < d.size(); ++i)
        if (n == d[i].name) return static_cast<int>(i);
    return -1;
}

bool assign(values& v, int index, const std::string& text, std::string* error) {
    std::string err;
    values trial = v;
    bool ok = false;
    int i = 0;
#define TIMEMORY_SETTING(type, name, def, desc)                                                    \
    if (i++ == index) ok = parse_value(text, &trial.name, &err);
#include "settings/settings.inc"
#undef TIMEMORY_SETTING
    if (index < 0 || index >= i)
        err = "unknown setting";
    else if (ok)
        ok = validate(trial, descriptors()[size_t(index)].name, &err);
    if (!ok) {
        if (error) *error = err;
        return false;
    }
    v = std::move(trial);
    return true;
}

std::string format(const values& v, int index) {
    int i = 0;
#define TIMEMORY_SETTING(type, name, def, desc)                                                    \
    if (i++ == index) return format_value(v.name);
#include "settings/settings.inc"
#undef TIMEMORY_SETTING
    return "";
}

values defaults() {
    values v;
    const auto& d = descriptors();
    for (size_t i = 0; i < d.size(); ++i)
        assign(v, static_cast<int>(i), d[i].default_text, nullptr);
    return v;
}

values& current() {
    static auto* v = new values(defaults()); // never destroyed: read by exit handlers
    return *v;
}

namespace {

// " (did you mean TIMEMORY_X?)" for the setting closest to `name`, when one is close.
std::string closest_hint(const std::string& name) {
    std::string n = lower(trim(name));
    if (n.rfind("timemory_", 0) == 0) n = n.substr(9);
    size_t best = std::string::npos;
    std::string best_name;
    for (const auto& d : descriptors()) {
        size_t dist = edit_distance(n, d.name);
        if (dist < best) {
            best = dist;
            best_name = d.env_name();
        }
    }
    return best <= std::max<size_t>(2, n.size() / 3) ? " (did you mean " + best_name + "?)" : "";
}

// Applies one KEY=value pair from `origin` (a variable or file:line), warning on failure.
void apply(values& v, const std::string& key, const std::string& text, const std::string& origin,
           bool warn_unknown) {
    int idx = find(key);
    if (idx < 0) {
        if (warn_unknown)
            warn(origin + ": unknown setting '" + key + "'" + closest_hint(key) + " ignored");
        return;
    }
    std::string err;
    if (!assign(v, idx, text, &err)) {
        // Once per variable and value: re-reading the environment must not repeat it.
        warn_once(origin + "=" + text, origin + ": invalid value '" + text + "' (" + err +
                                           "); keeping '" + format(v, idx) + "'");
    }
}

std::string home_file(const char* name) {
    const char* home = std::getenv("HOME");
    return home && *home ? std::string(home) + "/" + name : std::string();
}

bool file_exists(const std::string& p) {
    std::ifstream f(p);
    return !p.empty() && f.good();
}

void load_json(values& v, const nlohmann::json& j, const std::string& path) {
    const nlohmann::json* obj = &j;
    if (obj->contains("timemory")) obj = &(*obj)["timemory"];
    if (obj->is_object() && obj->contains("settings")) obj = &(*obj)["settings"];
    if (!obj->is_object()) {
        warn(path + ": expected a JSON object of settings; file ignored");
        return;
    }
    for (auto it = obj->begin(); it != obj->end(); ++it) {
        const auto& val = it.value();
        std::string text;
        if (val.is_string())
            text = val.get<std::string>();
        else if (val.is_boolean())
            text = val.get<bool>() ? "ON" : "OFF";
        else if (val.is_number_integer())
            text = std::to_string(val.get<long long>());
        else if (val.is_array()) {
            for (const auto& e : val)
                text +=
                    (text.empty() ? "" : ",") + (e.is_string() ? e.get<std::string>() : e.dump());
        } else
            text = val.dump();
        apply(v, it.key(), text, path + ": key '" + it.key() + "'", true);
    }
}

} // namespace

namespace {
// A config file is small: anything larger is not one (or not meant for us).
constexpr size_t max_config_bytes = 1 << 20;
constexpr int max_config_depth = 16;

// Reads a config file: a regular file of at most max_config_bytes. A FIFO would block the
// program's start, /dev/zero would never end, a folder is not a file: each is refused.
bool read_config(const std::string& path, std::string* content, std::string* why) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        *why = std::strerror(errno);
        return false;
    }
    struct stat st;
    bool ok = fstat(fd, &st) == 0;
    if (!ok)
        *why = std::strerror(errno);
    else if (!S_ISREG(st.st_mode))
        *why = S_ISDIR(st.st_mode) ? "it is a folder" : "it is not a regular file";
    else if (size_t(st.st_size) > max_config_bytes)
        *why = "it is larger than 1 MiB";
    ok = ok && why->empty();
    if (ok) {
        content->resize(size_t(st.st_size));
        size_t done = 0;
        while (done < content->size()) {
            ssize_t n = read(fd, content->data() + done, content->size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            done += size_t(n);
        }
        content->resize(done);
    }
    close(fd);
    return ok;
}

// The depth of JSON nesting in `text` (ignoring brackets in strings), stopping early.
int json_depth(const std::string& text, int limit) {
    int depth = 0, deepest = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size() && deepest <= limit; ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            deepest = std::max(deepest, ++depth);
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return deepest;
}
} // namespace

bool load_config_file(values& v, const std::string& path) {
    std::string content, why;
    if (!read_config(path, &content, &why)) {
        warn("cannot read config file '" + path + "': " + why +
             "; using defaults and the environment");
        return false;
    }
    std::string first = trim(content);
    if (!first.empty() && first[0] == '{') {
        // Settings nest two levels at most ({"timemory": {"settings": {...}}}); a deeply
        // nested file is refused before the parser recurses into it.
        if (json_depth(content, max_config_depth) > max_config_depth) {
            warn("config file '" + path + "' nests deeper than " +
                 std::to_string(max_config_depth) + " levels; file ignored");
            return false;
        }
        auto j = nlohmann::json::parse(content, nullptr, false);
        if (j.is_discarded()) {
            warn("config file '" + path + "' is not valid JSON; file ignored");
            return false;
        }
        load_json(v, j, path);
        return true;
    }
    std::istringstream lines(content);
    std::string line;
    int lineno = 0;
    while (std::getline(lines, line)) {
        ++lineno;
        auto hash = line.find('#');
        if (hash != std::string::npos) line.resize(hash);
        line = trim(line);
        if (line.empty()) continue;
        std::string origin = path + ":" + std::to_string(lineno);
        auto eq = line.find('=');
        if (eq == std::string::npos) {
            warn(origin + ": expected 'KEY = value', got '" + line + "'; line ignored");
            continue;
        }
        apply(v, trim(line.substr(0, eq)), trim(line.substr(eq + 1)), origin, true);
    }
    return true;
}

void load(values& v) {
    // A set-uid (or set-gid, or capability-raising) program: its environment and config
    // files are the invoking user's, who must not steer what a privileged process does.
    if (secure_execution()) return;
    // The config file comes first so that the environment overrides it.
    std::string cfg = v.config_file;
    if (const char* e = std::getenv("TIMEMORY_CONFIG_FILE")) cfg = trim(e);
    if (!cfg.empty()) {
        v.config_file = cfg;
        load_config_file(v, cfg);
    } else {
        for (const char* name : {".timemory.cfg", ".timemory.json"}) {
            std::string p = home_file(name);
            if (file_exists(p)) {
                load_config_file(v, p);
                break;
            }
        }
    }
    for (const auto& a : aliases) {
        std::string env = "TIMEMORY_" + upper(a.from);
        if (const char* e = std::getenv(env.c_str())) apply(v, a.to, e, env, false);
    }
    const auto& d = descriptors();
    for (size_t i = 0; i < d.size(); ++i) {
        std::string env = d[i].env_name();
        if (const char* e = std::getenv(env.c_str())) apply(v, d[i].name, e, env, false);
    }
    if (v.debug && v.verbose < 2) v.verbose = 2;
    warn_unknown_variables();
}

void warn_unknown_variables() {
    // TIMEMORY_ variables read by timemory's own tools rather than by the runtime.
    static const char* const tools[] = {"TIMEMORY_INSTR_CONFIG", "TIMEMORY_PROFILER_COMPONENTS",
                                        "TIMEMORY_BUILD_DIR"};
    for (char** e = environ; e && *e; ++e) {
        if (std::strncmp(*e, "TIMEMORY_", 9) != 0) continue;
        const char* eq = std::strchr(*e, '=');
        std::string name(*e, eq ? size_t(eq - *e) : std::strlen(*e));
        if (find(name) >= 0) continue;
        bool tool = false;
        for (const char* t : tools)
            tool = tool || name == t;
        if (tool) continue;
        warn_once("unknown variable " + name,
                  name + " is not a timemory setting" + closest_hint(name) +
                      "; ignored (`timemory-avail --settings` lists them)");
    }
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out(1);
    for (char c : text) {
        if (c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (!out.back().empty()) out.emplace_back();
        } else {
            out.back() += c;
        }
    }
    if (out.back().empty()) out.pop_back();
    return out;
}

} // namespace timemory::rt::settings
