#include "graph/snapshot.hpp"

#include <unistd.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <tuple>

#include "base/clock.hpp"
#include "settings/settings.hpp"
#include "settings/units.hpp"

namespace timemory::rt {

// Raw units per display unit, and the display name, for one component.
component_info describe_component(const component& c) {
    const auto& v = settings::current();
    component_info info{c.id, c.label, c.description, "", "", 1.0, c.group ? c.group : ""};
    info.kind = unit_kind_name(c.units);
    unit u;
    switch (c.units) {
    case unit_kind::time:
        find_timing_unit(v.timing_units, &u);
        info.units = u.name;
        info.unit_value = u.value;
        break;
    case unit_kind::memory:
        find_memory_unit(v.memory_units, &u);
        info.units = u.name;
        info.unit_value = u.value;
        break;
    case unit_kind::percent:
        info.units = "%";
        break;
    case unit_kind::count:
        break;
    }
    return info;
}

uint64_t fnv1a(const char* text, uint64_t seed) {
    uint64_t h = seed;
    for (const char* p = text; p && *p; ++p) {
        h ^= static_cast<unsigned char>(*p);
        h *= 0x100000001b3ull;
    }
    return h;
}

namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

bool additive(const component& c) {
    return c.how == value_kind::delta || c.how == value_kind::delta2 || c.how == value_kind::ratio;
}

// Whether the value of untimed (throttled) calls can be estimated from timed ones.
bool estimable(const component& c) {
    return c.how == value_kind::delta || c.how == value_kind::delta2 || c.how == value_kind::one;
}

// Statistics of one component at one node, in display units (`scale` per raw unit).
// `timed` calls were measured; `total` includes untimed ones. `total_raw` is the node's
// raw sum after estimates and compensation; `inside` the hooks' cost per call, on average
// (taken off min and max, so a single call's min, max and sum agree). min, max and stddev
// describe the timed calls.
stats inclusive_stats(const component& c, const running_stat& s, uint64_t timed, uint64_t total,
                      double total_raw, double inside, double scale) {
    stats out;
    if (total == 0) return out;
    if (timed == 0) {
        out.min = out.max = out.stddev = nan_value;
    } else {
        const double dn = double(timed);
        const double mean_raw = double(s.sum) / dn;
        const double var = std::max(0.0, double(s.sumsq) / dn - mean_raw * mean_raw);
        out.min = std::max(0.0, double(s.min) - inside) * scale;
        out.max = std::max(0.0, double(s.max) - inside) * scale;
        out.stddev = std::sqrt(var) * scale;
    }
    if (c.how == value_kind::ratio) {
        out.sum = out.mean = s.den > 0 ? 100.0 * double(s.num) / double(s.den) : 0.0;
    } else if (c.how == value_kind::absolute) {
        out.min = double(s.min) * scale;
        out.max = double(s.max) * scale;
        out.sum = out.max; // a level: the highest reading is the meaningful total
        out.mean = timed ? double(s.sum) / double(timed) * scale : nan_value;
    } else {
        out.sum = total_raw * scale;
        out.mean = out.sum / double(total);
    }
    return out;
}

// Samples needed before they alone estimate a node's untimed calls.
constexpr uint64_t min_samples = 16;

// Per node and component, the raw value of untimed calls: their number times the mean of
// the node's timed calls (or, when it has none, of every timed call of the same function).
// Never less than what the node's children on its thread (`kids`) account for. Bottom-up:
// children first.
std::vector<double> estimate_untimed(const call_graph& g, const bundle& b,
                                     const std::vector<std::vector<uint32_t>>& kids,
                                     size_t nsites) {
    const size_t nc = b.size();
    std::vector<double> est(g.size() * nc, 0.0);
    bool any = false;
    for (uint32_t i = 1; i < g.size() && !any; ++i)
        any = g.at(i).unmeasured > 0;
    if (!any) return est;
    std::vector<double> site_sum(nsites * nc, 0.0), site_count(nsites, 0.0);
    for (uint32_t i = 1; i < g.size(); ++i) {
        const node& nd = g.at(i);
        if (nd.site >= nsites) continue;
        site_count[nd.site] += double(nd.count);
        for (size_t c = 0; c < nc; ++c)
            site_sum[nd.site * nc + c] += double(g.stats(i)[c].sum);
    }
    for (uint32_t i = uint32_t(g.size()); i-- > 1;) {
        const node& nd = g.at(i);
        if (nd.unmeasured == 0) continue;
        for (size_t c = 0; c < nc; ++c) {
            if (!estimable(*b.comps[c])) continue;
            const double timed_sum = double(g.stats(i)[c].sum);
            // The samples (calls timed after the function was throttled) stand for the
            // untimed calls; without enough of them, every timed call of the node; without
            // any, those of the function everywhere.
            const uint64_t samples = nd.count - std::min(nd.count, g.baseline_count(i));
            double mean = 0;
            if (samples >= min_samples)
                mean = (timed_sum - double(g.baseline_sum(i, c))) / double(samples);
            else if (nd.count > 0)
                mean = timed_sum / double(nd.count);
            else if (nd.site < nsites && site_count[nd.site] > 0)
                mean = site_sum[nd.site * nc + c] / site_count[nd.site];
            double e = mean * double(nd.unmeasured);
            double below = 0;
            for (uint32_t k : kids[i])
                below += double(g.stats(k)[c].sum) + est[k * nc + c];
            if (timed_sum + e < below) e = below - timed_sum;
            est[i * nc + c] = e;
        }
    }
    return est;
}

} // namespace

result make_result(const call_graph& g, const std::vector<int>& tid,
                   const std::vector<const timemory_site*>& sites, const bundle& b, int pid,
                   const overhead_costs* oh) {
    if (oh && (!oh->measured || oh->inside.size() != b.size())) oh = nullptr;
    result res;
    const size_t nc = b.size();
    std::vector<double> scale(nc);
    for (size_t c = 0; c < nc; ++c) {
        res.components.push_back(describe_component(*b.comps[c]));
        scale[c] =
            (b.comps[c]->tsc_scaled ? g_wall.ns_per_tick : 1.0) / res.components[c].unit_value;
        if (b.comps[c]->how == value_kind::ratio) scale[c] = 1.0 / double(bundle::ratio_scale);
    }

    // Children lists in creation order (= order of first call); and the children that ran
    // on the same thread: only their values are part of the parent's (a thread started
    // here ran concurrently, so it never reduces the parent's exclusive value).
    std::vector<std::vector<uint32_t>> kids(g.size()), same(g.size());
    auto thread_of = [&tid](uint32_t i) { return i < tid.size() ? tid[i] : 0; };
    // A node crosses to another thread when its thread id differs from its parent's, or
    // when it was kept apart as another thread's work (a folded thread's nodes all carry
    // the id of the first thread folded there, its own threads' work included).
    auto crosses = [&](uint32_t i) {
        return g.at(i).foreign || thread_of(i) != thread_of(g.at(i).parent);
    };
    for (uint32_t i = 1; i < g.size(); ++i) {
        const uint32_t p = g.at(i).parent;
        kids[p].push_back(i);
        if (!crosses(i)) same[p].push_back(i);
    }
    const std::vector<double> est = estimate_untimed(g, b, same, sites.size());

    // Raw inclusive totals: the measured sum, plus the estimate of untimed calls, minus
    // (TIMEMORY_COMPENSATE) what timemory's hooks cost inside the node: their share of its
    // own calls, and every call made below it on its thread. Bottom-up: children first.
    std::vector<double> total(g.size() * nc, 0.0), below(g.size() * nc, 0.0);
    std::vector<double> per_call(g.size() * nc, 0.0); // hooks' cost taken off each call
    for (uint32_t i = uint32_t(g.size()); i-- > 1;) {
        const node& nd = g.at(i);
        const bool same_thread = !crosses(i);
        for (size_t c = 0; c < nc; ++c) {
            const size_t k = i * nc + c;
            double t = double(g.stats(i)[c].sum) + est[k];
            if (oh && estimable(*b.comps[c]) && b.comps[c]->how != value_kind::one) {
                // An estimate extrapolates the timed calls, hooks included, to the others.
                const double calls = double(nd.count + (est[k] > 0 ? nd.unmeasured : 0));
                const double hooks = oh->inside[c] * calls + below[k];
                if (calls > 0) per_call[k] = hooks / calls;
                t = std::max(0.0, t - hooks);
                if (same_thread)
                    below[nd.parent * nc + c] += below[k] + double(nd.count) * oh->timed_pair[c] +
                                                 double(nd.unmeasured) * oh->untimed_pair[c];
            }
            total[k] = t;
        }
    }

    std::vector<uint64_t> path_hash(g.size(), 0);
    std::vector<int64_t> out_index(g.size(), -1);
    // Iterative pre-order walk: deep graphs must not overflow the stack.
    std::vector<uint32_t> todo(kids[0].rbegin(), kids[0].rend());
    res.nodes.reserve(g.size() - 1); // no reallocation: the result is the largest structure here
    while (!todo.empty()) {
        uint32_t i = todo.back();
        todo.pop_back();
        const node& nd = g.at(i);
        const timemory_site* s = nd.site < sites.size() ? sites[nd.site] : nullptr;
        result_node r;
        r.name = s ? s->name : "<unknown>";
        r.linkage = s ? s->linkage : r.name;
        r.file = s ? s->file : "";
        r.line = s ? s->line : 0;
        r.language = s ? int(s->flags & TIMEMORY_SITE_LANG_MASK) : 0;
        r.throttled = s && (s->flags & TIMEMORY_SITE_THROTTLED);
        r.depth = int(nd.depth) - 1;
        r.count = nd.count + nd.unmeasured;
        r.untimed = nd.unmeasured;
        r.hash = fnv1a(r.linkage.c_str());
        // A subtree that ran on another thread has paths of its own (it is kept apart from
        // the same calls made on the spawning thread, here and when ranks are combined).
        const bool other = nd.parent != 0 && crosses(i);
        path_hash[i] = fnv1a(r.linkage.c_str(), path_hash[nd.parent] ^ 0x9e3779b97f4a7c15ull ^
                                                    (other ? 0x5bd1e9955bd1e995ull : 0));
        r.rolling_hash = path_hash[i];
        r.tid = i < tid.size() ? tid[i] : 0;
        r.threads = nd.threads;
        r.pid = pid;
        r.start_ns = nd.first_ticks == std::numeric_limits<int64_t>::max()
                         ? 0
                         : ticks_to_ns_since_start(nd.first_ticks);
        r.parent = out_index[nd.parent];
        if (nd.unmeasured > 0) r.estimated.assign(nc, 0.0);
        const running_stat* st = g.stats(i);
        for (size_t c = 0; c < nc; ++c) {
            const component& comp = *b.comps[c];
            const double e = est[i * nc + c];
            // The estimated share of the (compensated) total.
            const double measured = double(st[c].sum) + e;
            if (nd.unmeasured > 0 && measured > 0)
                r.estimated[c] = total[i * nc + c] * (e / measured) * scale[c];
            stats inc = inclusive_stats(comp, st[c], nd.count, r.count, total[i * nc + c],
                                        per_call[i * nc + c], scale[c]);
            stats exc{inc.sum, inc.mean, nan_value, nan_value, nan_value};
            if (additive(comp)) {
                if (comp.how == value_kind::ratio) {
                    int64_t num = st[c].num, den = st[c].den;
                    for (uint32_t k : same[i]) {
                        num -= g.stats(k)[c].num;
                        den -= g.stats(k)[c].den;
                    }
                    exc.sum = exc.mean = den > 0 ? 100.0 * double(num) / double(den) : 0.0;
                } else {
                    double sum = total[i * nc + c];
                    for (uint32_t k : same[i])
                        sum -= total[k * nc + c];
                    // Estimates and the hooks' cost are averages: their errors must not make
                    // a self time negative.
                    if (sum < 0) sum = 0;
                    exc.sum = sum * scale[c];
                    exc.mean = r.count ? exc.sum / double(r.count) : 0.0;
                }
            }
            r.inclusive.push_back(inc);
            r.exclusive.push_back(exc);
        }
        out_index[i] = int64_t(res.nodes.size());
        if (r.parent >= 0) res.nodes[size_t(r.parent)].children.push_back(res.nodes.size());
        res.nodes.push_back(std::move(r));
        for (auto it = kids[i].rbegin(); it != kids[i].rend(); ++it)
            todo.push_back(*it);
    }
    return res;
}

} // namespace timemory::rt
