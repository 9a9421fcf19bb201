// The runtime settings: typed values generated from settings.inc, with text access by name.
#pragma once

#include <string>
#include <vector>

namespace timemory::rt::settings {

/// One typed field per declared setting.
struct values {
#define TIMEMORY_SETTING(type, name, def, desc) type name{};
#include "settings/settings.inc"
#undef TIMEMORY_SETTING
};

enum class kind { boolean, integer, text };

/// The declaration of one setting.
struct descriptor {
    const char* name; ///< lower case, e.g. "flat_profile"
    kind type;
    const char* default_text;
    const char* description;
    std::string env_name() const; ///< "TIMEMORY_FLAT_PROFILE"
};

/// Every setting in declaration order.
const std::vector<descriptor>& descriptors();

/// Index of the setting called `name` (any case, TIMEMORY_ prefix optional, aliases
/// accepted), or -1.
int find(const std::string& name);

/// Parses `text` into setting `index`. On failure returns false, leaves the value and
/// sets `error` to a sentence naming the problem.
bool assign(values& v, int index, const std::string& text, std::string* error);
/// The value of setting `index` as text, in the form assign() accepts.
std::string format(const values& v, int index);

/// A values object holding every default.
values defaults();

/// The process-wide settings. Written during initialisation and by the settings API.
values& current();

/// Applies the config file (when one is named or found) and then every TIMEMORY_*
/// variable to `v`. Each bad value gives one warning naming the variable, the value and
/// the value kept; each unknown TIMEMORY_ variable one warning (warn_unknown_variables).
void load(values& v);

/// Warns once per process about each TIMEMORY_* environment variable that is not a setting
/// (nor read by timemory's tools: TIMEMORY_INSTR_CONFIG, TIMEMORY_PROFILER_COMPONENTS,
/// TIMEMORY_BUILD_DIR), naming the closest setting when one is close: a misspelt
/// TIMEMORY_COMPONENT must not be silently ignored.
void warn_unknown_variables();

/// Applies one config file: `KEY = value` lines with `#` comments, or a JSON object
/// (flat, or under "timemory"/"settings"). Returns false and warns when unreadable.
bool load_config_file(values& v, const std::string& path);

/// The items of a list setting (components, PAPI events, CUPTI kinds): separated by
/// commas, semicolons or white space; empty items dropped, duplicates kept.
std::vector<std::string> split_list(const std::string& text);

/// Parses a boolean the way every setting does: ON/OFF, TRUE/FALSE, YES/NO, 1/0.
bool parse_bool(const std::string& text, bool* out);

} // namespace timemory::rt::settings
