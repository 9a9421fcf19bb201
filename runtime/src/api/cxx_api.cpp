// The C++ interface of timemory.hpp: results, reports and settings by name.
#include "base/clock.hpp"
#include "base/host_state.hpp"
#include "base/log.hpp"
#include "graph/snapshot.hpp"
#include "hooks/hooks.hpp"
#include "runtime/reports.hpp"
#include "runtime/runtime.hpp"
#include "settings/settings.hpp"
#include "timemory/timemory.hpp"

namespace timemory {

using namespace rt;

result snapshot() {
    ensure_initialized();
    fp_env_guard fp;
    refine_wall_clock();
    return build_result();
}

struct rank_report::impl {
    int rank;
    graph_report graph;
};

rank_report::rank_report(int rank) {
    ensure_initialized();
    fp_env_guard fp;
    refine_wall_clock();
    p_ = std::make_unique<impl>(impl{rank, build_report()});
}

rank_report::~rank_report() = default;

std::string rank_report::encode() const {
    fp_env_guard fp;
    return encode_report(p_->graph, p_->rank);
}

bool rank_report::write_slices(const std::string& slice_dir) const {
    if (slice_dir.empty()) return false;
    fp_env_guard fp;
    return write_rank_slices(slice_dir, p_->graph, p_->rank, rt::settings::current());
}

std::string make_slice_folder() {
    ensure_initialized();
    return rank_slice_folder();
}

std::string encode_snapshot(int rank) {
    return rank_report(rank).encode();
}

std::string write_reports() {
    ensure_initialized();
    fp_env_guard fp;
    return write_all_reports();
}

void reset() {
    runtime& r = rt_state();
    runtime_lock lk(r.mutex);
    for (auto* t : r.threads)
        if (t) t->forget();
    r.finished.clear();
}

namespace settings {

std::string get(const std::string& name, bool* ok) {
    int idx = rt::settings::find(name);
    if (ok) *ok = idx >= 0;
    return idx >= 0 ? rt::settings::format(rt::settings::current(), idx) : "";
}

namespace {
// Settings read once at start-up into the hot path's copies.
void refresh_recording_options() {
    runtime& r = rt_state();
    {
        runtime_lock lk(r.mutex);
        apply_settings(r, rt::settings::current());
    }
    update_recording();
}
} // namespace

bool set(const std::string& name, const std::string& value, std::string* error) {
    int idx = rt::settings::find(name);
    std::string err;
    if (idx < 0)
        err = "unknown setting '" + name + "'";
    else if (!rt::settings::assign(rt::settings::current(), idx, value, &err))
        err = "invalid value '" + value + "' for " + name + ": " + err;
    if (!err.empty()) {
        if (error) *error = err;
        return false;
    }
    runtime& r = rt_state();
    if (r.state.load() == int(run_state::uninitialized)) {
        // Not started: remembered, and applied over the environment at start-up.
        runtime_lock lk(r.mutex);
        r.overrides.emplace_back(name, value);
        return true;
    }
    if (std::string(rt::settings::descriptors()[size_t(idx)].name) == "components")
        warn("TIMEMORY_COMPONENTS changed after start-up: the components of a running "
             "process are fixed; the new list applies to the next run");
    refresh_recording_options();
    return true;
}

std::vector<std::string> names() {
    std::vector<std::string> out;
    for (const auto& d : rt::settings::descriptors())
        out.emplace_back(d.name);
    return out;
}

std::vector<description> describe(bool with_values) {
    std::vector<description> out;
    const auto& d = rt::settings::descriptors();
    const auto defaults = rt::settings::defaults();
    runtime& r = rt_state();
    rt::settings::values now = defaults;
    if (!with_values) {
    } else if (r.state.load() == int(run_state::uninitialized)) {
        std::vector<std::pair<std::string, std::string>> overrides;
        {
            runtime_lock lk(r.mutex);
            overrides = r.overrides;
        }
        now = starting_settings(overrides);
    } else {
        now = rt::settings::current();
    }
    for (size_t i = 0; i < d.size(); ++i) {
        const char* type = d[i].type == rt::settings::kind::boolean   ? "bool"
                           : d[i].type == rt::settings::kind::integer ? "int"
                                                                      : "string";
        out.push_back({d[i].name, d[i].env_name(), type, rt::settings::format(defaults, int(i)),
                       d[i].description, with_values ? rt::settings::format(now, int(i)) : ""});
    }
    return out;
}

std::vector<std::string> split_list(const std::string& text) {
    return rt::settings::split_list(text);
}

void parse_environment() {
    ensure_initialized();
    rt::settings::values v = rt::settings::current();
    rt::settings::load(v);
    rt::settings::current() = v;
    refresh_recording_options();
}

} // namespace settings

std::string write_reports(const std::vector<result>& ranks) {
    ensure_initialized();
    fp_env_guard fp;
    return write_rank_reports(ranks);
}

std::string write_reports(const std::vector<result>& ranks, const std::string& slice_dir,
                          const std::function<void()>& ready) {
    ensure_initialized();
    fp_env_guard fp;
    const rank_slices slices(slice_dir, ready);
    std::string where;
    try {
        where = write_rank_reports(ranks, &slices);
    } catch (...) {
        slices.remove(); // waits for the ranks first: they are in the collective
        throw;
    }
    slices.remove();
    return where;
}

void set_finalize_handler(bool (*fn)()) {
    g_finalize_handler.store(fn);
}

void enable_signal_detection(const std::vector<int>& signals) {
    ensure_initialized();
    install_signal_handlers(signals);
}

void set_exit_action(void (*action)(int)) {
    set_signal_exit_action(action);
}

} // namespace timemory
