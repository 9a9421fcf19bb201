// Stand-alone component measurements (timemory::measurement) and the catalog as seen from
// outside the runtime.
#include <stdexcept>

#include "base/host_state.hpp"
#include "components/component.hpp"
#include "components/fields.hpp"
#include "graph/bundle.hpp"
#include "graph/snapshot.hpp"
#include "runtime/runtime.hpp"
#include "timemory/timemory.hpp"

namespace timemory {

using namespace rt;

namespace {
std::vector<component_description> make_catalog(bool check_availability) {
    std::vector<component_description> out;
    for (const auto& c : catalog()) {
        if (c.group) continue; // values of a group: listed by the group
        component_description d;
        d.id = c.id;
        d.label = c.label;
        d.description = c.description;
        d.kind = unit_kind_name(c.units);
        if (check_availability) d.available = c.available(&d.unavailable_reason);
        out.push_back(std::move(d));
    }
    return out;
}

const std::vector<component_description>& cached_catalog() {
    static const auto* c = new std::vector<component_description>(make_catalog(true));
    return *c;
}
} // namespace

std::vector<component_description> component_catalog(bool check_availability) {
    return check_availability ? cached_catalog() : make_catalog(false);
}

bool component_available(const std::string& id, std::string* why) {
    int idx = find_component(id);
    if (idx < 0) {
        if (why) *why = "unknown component '" + id + "'";
        return false;
    }
    return catalog()[size_t(idx)].available(why);
}

bool initialized() {
    return rt_state().state.load() != int(run_state::uninitialized);
}

std::vector<std::string> active_components() {
    ensure_initialized();
    std::vector<std::string> out;
    for (const auto* c : rt_state().comps.comps) // a group's values: its id, once
        if (out.empty() || !c->group || out.back() != c->id) out.emplace_back(c->id);
    return out;
}

std::vector<std::string> closest_component_ids(const std::string& name) {
    return closest_components(name);
}

measurement::measurement(const std::string& component) : comp_(find_component(component)) {
    if (comp_ < 0) {
        std::string hint;
        for (const auto& n : closest_components(component))
            hint += (hint.empty() ? "" : ", ") + n;
        throw std::invalid_argument("unknown component '" + component +
                                    "'; closest valid names: " + hint);
    }
    if (catalog()[size_t(comp_)].how == value_kind::group)
        throw std::invalid_argument("component '" + component +
                                    "' is a group of values, not one value; measure PAPI "
                                    "events with timemory::hardware_counters");
    calibrate_if_needed();
    start_.assign(field_count, 0);
}

void measurement::calibrate_if_needed() {
    // Stand-alone measurements may come before any region: the clocks need the runtime.
    ensure_initialized();
}

void measurement::start() {
    if (running_) return;
    read_sources(catalog()[size_t(comp_)].sources() | src_wall, start_.data());
    running_ = true;
}

void measurement::stop() {
    if (!running_) return;
    int64_t now[field_count] = {};
    const component& c = catalog()[size_t(comp_)];
    read_sources(c.sources() | src_wall, now);
    int64_t num = 0, den = 0;
    int64_t v = bundle::value_of(c, start_.data(), now, &num, &den);
    if (c.how == value_kind::absolute)
        raw_ = v;
    else
        raw_ += v;
    num_ += num;
    den_ += den;
    ++laps_;
    running_ = false;
}

void measurement::measure() {
    int64_t now[field_count] = {};
    const component& c = catalog()[size_t(comp_)];
    read_sources(c.sources() | src_wall, now);
    // A reading, not a difference: the level of the first field (RSS, peak RSS, a clock).
    raw_ = c.a == field::none ? 0 : now[static_cast<int>(c.a)];
    if (c.b != field::none) raw_ += now[static_cast<int>(c.b)];
}

void measurement::reset() {
    raw_ = num_ = den_ = 0;
    laps_ = 0;
    running_ = false;
}

double measurement::get() const {
    fp_env_guard fp;
    const component& c = catalog()[size_t(comp_)];
    if (c.how == value_kind::ratio) return den_ > 0 ? 100.0 * double(num_) / double(den_) : 0.0;
    double scale = c.tsc_scaled ? g_wall.ns_per_tick : 1.0;
    return double(raw_) * scale / unit_value();
}

const component_description& measurement::info() const {
    return cached_catalog()[size_t(comp_)];
}

std::string measurement::units() const {
    return describe_component(catalog()[size_t(comp_)]).units;
}

double measurement::unit_value() const {
    fp_env_guard fp;
    return describe_component(catalog()[size_t(comp_)]).unit_value;
}

void measurement::combine(const measurement& o, int sign) {
    if (o.comp_ != comp_) throw std::invalid_argument("cannot combine different components");
    raw_ += sign * o.raw_;
    num_ += sign * o.num_;
    den_ += sign * o.den_;
    laps_ = sign > 0 ? laps_ + o.laps_ : (laps_ > o.laps_ ? laps_ - o.laps_ : 0);
}

} // namespace timemory
