#include "graph/snapshot.hpp"

#include <unistd.h>

#include <cmath>
#include <limits>
#include <memory>
#include <span>
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

// The children of every node of a graph, in creation order (= order of first call), in two
// flat arrays, and which nodes ran on another thread than their parent: only the values of
// children on the parent's own thread are part of the parent's (a thread started here ran
// concurrently, so it never reduces the parent's exclusive value).
class child_lists {
public:
    child_lists(const call_graph& g, std::vector<bool> crosses)
        : begin_(g.size() + 1, 0), crosses_(std::move(crosses)) {
        for (uint32_t i = 1; i < g.size(); ++i)
            begin_[g.at(i).parent + 1] += 1;
        for (size_t i = 1; i < begin_.size(); ++i)
            begin_[i] += begin_[i - 1];
        list_.resize(begin_.back());
        std::vector<uint32_t> fill(begin_.begin(), begin_.end() - 1);
        for (uint32_t i = 1; i < g.size(); ++i)
            list_[fill[g.at(i).parent]++] = i;
    }
    std::span<const uint32_t> of(uint32_t i) const {
        return {list_.data() + begin_[i], begin_[i + 1] - begin_[i]};
    }
    /// Whether node `i`'s work ran on another thread than its parent's.
    bool crosses(uint32_t i) const { return crosses_[i]; }

private:
    std::vector<uint32_t> begin_, list_;
    std::vector<bool> crosses_;
};

// Samples needed before they alone estimate a node's untimed calls.
constexpr uint64_t min_samples = 16;

// Whether any call of `g` was counted without being timed (a throttled function's).
bool has_untimed_calls(const call_graph& g) {
    for (uint32_t i = 1; i < g.size(); ++i)
        if (g.at(i).unmeasured > 0) return true;
    return false;
}

// The part of node `i`'s total (component `c`; compensated, as `total`) that is estimated:
// the estimate's share of its raw value, the share the reports show as "estimated".
double estimated_part(const call_graph& g, uint32_t i, size_t c, size_t nc,
                      const std::vector<double>& total, const std::vector<double>& est) {
    const double e = est[i * nc + c];
    const double raw = double(g.stats(i)[c].sum) + e;
    return e > 0 && raw > 0 ? total[i * nc + c] * (e / raw) : 0.0;
}

// Per node and component, the raw value of untimed calls: their number times the mean of
// the node's timed calls (or, when it has none, of every timed call of the same function).
// Never less than what the node's children on its thread (`kids`) account for. Bottom-up:
// children first.
std::vector<double> estimate_untimed(const call_graph& g, const bundle& b, const child_lists& kids,
                                     size_t nsites) {
    const size_t nc = b.size();
    std::vector<double> est(g.size() * nc, 0.0);
    if (!has_untimed_calls(g)) return est;
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
            // untimed calls: the median of their blocks' means (an outlier moves one block),
            // or their mean while there are few; without enough of them, every timed call of
            // the node; without any, those of the function everywhere.
            const uint64_t samples = nd.count - std::min(nd.count, g.baseline_count(i));
            double mean = 0;
            if (samples >= min_samples) {
                if (!g.sample_mean(i, c, &mean))
                    mean = (timed_sum - double(g.baseline_sum(i, c))) / double(samples);
            } else if (nd.count > 0)
                mean = timed_sum / double(nd.count);
            else if (nd.site < nsites && site_count[nd.site] > 0)
                mean = site_sum[nd.site * nc + c] / site_count[nd.site];
            double e = mean * double(nd.unmeasured);
            double below = 0;
            for (uint32_t k : kids.of(i))
                if (!kids.crosses(k)) below += double(g.stats(k)[c].sum) + est[k * nc + c];
            if (timed_sum + e < below) e = below - timed_sum;
            est[i * nc + c] = e;
        }
    }
    return est;
}

// An estimate never exceeds what was measured around it: the calls of a node's children on
// its thread ran inside its calls, so together they cannot take more than its total. Where
// estimated children would (a sample that was preempted, a page fault, a function whose
// samples are not like its other calls), their estimated parts are scaled down, just enough;
// measured values are never changed. Top-down (index order is a topological order), so a
// node's total is final before its children are looked at. `total` and `est` are per node
// and component, as in graph_report::convert.
void cap_estimates(const call_graph& g, const bundle& b, const child_lists& kids,
                   std::vector<double>& total, std::vector<double>& est) {
    if (!has_untimed_calls(g)) return;
    const size_t nc = b.size();
    for (uint32_t p = 1; p < g.size(); ++p) {
        for (size_t c = 0; c < nc; ++c) {
            if (!estimable(*b.comps[c]) || b.comps[c]->how == value_kind::one) continue;
            // The children's totals: a measured part and an estimated part each.
            double fixed = 0, estimated = 0;
            for (uint32_t k : kids.of(p)) {
                if (kids.crosses(k)) continue;
                const double part = estimated_part(g, k, c, nc, total, est);
                fixed += total[k * nc + c] - part;
                estimated += part;
            }
            const double room = total[p * nc + c] - fixed;
            if (estimated <= 0 || fixed + estimated <= total[p * nc + c]) continue;
            const double f = room > 0 ? room / estimated : 0.0;
            for (uint32_t k : kids.of(p)) {
                if (kids.crosses(k)) continue;
                const size_t i = k * nc + c;
                const double part = estimated_part(g, k, c, nc, total, est);
                total[i] -= part * (1 - f);
                est[i] *= f;
            }
        }
    }
}

} // namespace

graph_report::graph_report(call_graph graph, std::vector<int> tid,
                           std::vector<const timemory_site*> sites, const bundle& b, int pid,
                           const overhead_costs* oh)
    : own_(std::make_unique<call_graph>(std::move(graph))), g_(own_.get()), tid_(std::move(tid)),
      sites_(std::move(sites)), pid_(pid), nc_(b.size()) {
    convert(b, oh);
}

graph_report::graph_report(const call_graph* graph, std::vector<int> tid,
                           std::vector<const timemory_site*> sites, const bundle& b, int pid,
                           const overhead_costs* oh)
    : g_(graph), tid_(std::move(tid)), sites_(std::move(sites)), pid_(pid), nc_(b.size()) {
    convert(b, oh);
}

void graph_report::convert(const bundle& b, const overhead_costs* oh) {
    if (oh && (!oh->measured || oh->inside.size() != b.size())) oh = nullptr;
    const call_graph& g = *g_;
    const size_t nc = nc_;
    std::vector<double> scale(nc);
    for (size_t c = 0; c < nc; ++c) {
        comps_.push_back(describe_component(*b.comps[c]));
        scale[c] = (b.comps[c]->tsc_scaled ? g_wall.ns_per_tick : 1.0) / comps_[c].unit_value;
        if (b.comps[c]->how == value_kind::ratio) scale[c] = 1.0 / double(bundle::ratio_scale);
    }

    // A node crosses to another thread when its thread id differs from its parent's, or
    // when it was kept apart as another thread's work (a folded thread's nodes all carry
    // the id of the first thread folded there, its own threads' work included).
    auto thread_of = [this](uint32_t i) { return i < tid_.size() ? tid_[i] : 0; };
    std::vector<bool> crosses(g.size(), false);
    for (uint32_t i = 1; i < g.size(); ++i)
        crosses[i] = g.at(i).foreign || thread_of(i) != thread_of(g.at(i).parent);
    const child_lists kids(g, std::move(crosses));
    std::vector<double> est = estimate_untimed(g, b, kids, sites_.size());

    // Raw inclusive totals: the measured sum, plus the estimate of untimed calls, minus
    // (TIMEMORY_COMPENSATE) what timemory's hooks cost inside the node: their share of its
    // own calls, and every call made below it on its thread. Bottom-up: children first.
    std::vector<double> total(g.size() * nc, 0.0), below(g.size() * nc, 0.0);
    std::vector<double> per_call(g.size() * nc, 0.0);   // hooks' cost taken off each call
    std::vector<double> kids_total(g.size() * nc, 0.0); // children's totals on the thread
    for (uint32_t i = uint32_t(g.size()); i-- > 1;) {
        const rt::node& nd = g.at(i);
        const bool same_thread = !kids.crosses(i);
        for (size_t c = 0; c < nc; ++c) {
            const size_t k = i * nc + c;
            const double raw = double(g.stats(i)[c].sum) + est[k];
            double t = raw;
            if (oh && estimable(*b.comps[c]) && b.comps[c]->how != value_kind::one) {
                // An estimate extrapolates the timed calls, hooks included, to the others.
                const double calls = double(nd.count + (est[k] > 0 ? nd.unmeasured : 0));
                const double hooks = oh->inside[c] * calls + below[k];
                if (calls > 0) per_call[k] = hooks / calls;
                // The hooks' costs are averages of a calibration: in a run where the hooks
                // cost less (a faster moment, a core to itself), taking them off every call
                // below could leave a node less than its children took. Never below them,
                // nor above the node's own value before compensation.
                t = std::max(std::max(0.0, t - hooks), std::min(raw, kids_total[k]));
                if (same_thread)
                    below[nd.parent * nc + c] += below[k] + double(nd.count) * oh->timed_pair[c] +
                                                 double(nd.unmeasured) * oh->untimed_pair[c];
            }
            total[k] = t;
            if (same_thread) kids_total[nd.parent * nc + c] += t;
        }
    }
    below = {};
    kids_total = {};
    cap_estimates(g, b, kids, total, est);

    // Pre-order, by an explicit stack: deep graphs must not overflow the stack.
    const size_t n = g.size() > 0 ? g.size() - 1 : 0;
    std::vector<int32_t> index_of(g.size(), -1); // graph node → report index
    order_.reserve(n);
    parent_.reserve(n);
    hash_.reserve(n);
    path_.reserve(n);
    inclusive_.reserve(n * nc);
    exclusive_.reserve(n * nc);
    if (has_untimed_calls(g)) estimated_.assign(n * nc, 0.0);
    std::vector<uint32_t> todo(kids.of(0).rbegin(), kids.of(0).rend());
    while (!todo.empty()) {
        const uint32_t i = todo.back();
        todo.pop_back();
        const rt::node& nd = g.at(i);
        const size_t at = order_.size();
        index_of[i] = int32_t(at);
        order_.push_back(i);
        const int32_t parent = index_of[nd.parent];
        parent_.push_back(parent);
        const timemory_site* s = nd.site < sites_.size() ? sites_[nd.site] : nullptr;
        // A subtree that ran on another thread has paths of its own (it is kept apart from
        // the same calls made on the spawning thread, here and when ranks are combined).
        const bool other = nd.parent != 0 && kids.crosses(i);
        hash_.push_back(fnv1a(s ? s->linkage : "<unknown>"));
        path_.push_back(fnv1a(s ? s->linkage : "<unknown>",
                              (parent >= 0 ? path_[size_t(parent)] : 0) ^ 0x9e3779b97f4a7c15ull ^
                                  (other ? 0x5bd1e9955bd1e995ull : 0)));
        const uint64_t count = nd.count + nd.unmeasured;
        const running_stat* st = g.stats(i);
        for (size_t c = 0; c < nc; ++c) {
            const component& comp = *b.comps[c];
            if (nd.unmeasured > 0)
                estimated_[at * nc + c] = estimated_part(g, i, c, nc, total, est) * scale[c];
            stats inc = inclusive_stats(comp, st[c], nd.count, count, total[i * nc + c],
                                        per_call[i * nc + c], scale[c]);
            stats exc{inc.sum, inc.mean, nan_value, nan_value, nan_value};
            if (additive(comp)) {
                if (comp.how == value_kind::ratio) {
                    int64_t num = st[c].num, den = st[c].den;
                    for (uint32_t k : kids.of(i)) {
                        if (kids.crosses(k)) continue;
                        num -= g.stats(k)[c].num;
                        den -= g.stats(k)[c].den;
                    }
                    exc.sum = exc.mean = den > 0 ? 100.0 * double(num) / double(den) : 0.0;
                } else {
                    double sum = total[i * nc + c];
                    for (uint32_t k : kids.of(i))
                        if (!kids.crosses(k)) sum -= total[k * nc + c];
                    // Estimates and the hooks' cost are averages: their errors must not make
                    // a self time negative.
                    if (sum < 0) sum = 0;
                    exc.sum = sum * scale[c];
                    exc.mean = count ? exc.sum / double(count) : 0.0;
                }
            }
            inclusive_.push_back(inc);
            exclusive_.push_back(exc);
        }
        const auto ks = kids.of(i);
        for (auto it = ks.rbegin(); it != ks.rend(); ++it)
            todo.push_back(*it);
    }
    // Children by report index, in creation order.
    child_begin_.assign(n + 1, 0);
    children_.reserve(n);
    for (size_t at = 0; at < n; ++at) {
        child_begin_[at] = children_.size();
        for (uint32_t k : kids.of(order_[at]))
            children_.push_back(size_t(index_of[k]));
    }
    child_begin_[n] = children_.size();
}

node_view graph_report::node(size_t i) const {
    const uint32_t gi = order_[i];
    const rt::node& nd = g_->at(gi);
    const timemory_site* s = nd.site < sites_.size() ? sites_[nd.site] : nullptr;
    node_view v;
    v.name = s ? s->name : "<unknown>";
    v.linkage = s ? s->linkage : "<unknown>";
    v.file = s ? s->file : "";
    v.line = s ? s->line : 0;
    v.language = s ? int(s->flags & TIMEMORY_SITE_LANG_MASK) : 0;
    // Whether this node had calls counted untimed: a fact of the node (merges keep it). The
    // producer's site carries the THROTTLED flag, not the registry's copy of it.
    v.throttled = nd.throttled;
    v.parent = parent_[i];
    v.children = {children_.data() + child_begin_[i], child_begin_[i + 1] - child_begin_[i]};
    v.depth = int(nd.depth) - 1;
    v.count = nd.count + nd.unmeasured;
    v.untimed = nd.unmeasured;
    if (nd.unmeasured > 0 && !estimated_.empty()) v.estimated = {estimated_.data() + i * nc_, nc_};
    v.hash = hash_[i];
    v.rolling_hash = path_[i];
    v.tid = gi < tid_.size() ? tid_[gi] : 0;
    v.threads = nd.threads;
    v.pid = pid_;
    v.start_ns = nd.first_ticks == std::numeric_limits<int64_t>::max()
                     ? 0
                     : ticks_to_ns_since_start(nd.first_ticks);
    v.inclusive = {inclusive_.data() + i * nc_, nc_};
    v.exclusive = {exclusive_.data() + i * nc_, nc_};
    return v;
}

result make_result(const call_graph& g, const std::vector<int>& tid,
                   const std::vector<const timemory_site*>& sites, const bundle& b, int pid,
                   const overhead_costs* oh) {
    return to_result(graph_report(g, tid, sites, b, pid, oh));
}

} // namespace timemory::rt
