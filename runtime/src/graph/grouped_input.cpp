#include "graph/grouped_input.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <unordered_set>

#include "graph/snapshot.hpp"

namespace timemory::rt {

namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

size_t ranking_component(const std::vector<component_info>& comps) {
    for (size_t c = 0; c < comps.size(); ++c)
        if (comps[c].kind == "time") return c;
    return 0;
}

// Which nodes a threshold keeps: those at or above it (and above 0), and their ancestors.
// Returns the number kept plus the number of groups the others make.
size_t mark(const std::vector<double>& value, const std::vector<int64_t>& parent,
            const std::vector<int64_t>& tid, double threshold, std::vector<char>& keep) {
    const size_t n = value.size();
    keep.assign(n, 0);
    for (size_t i = 0; i < n; ++i)
        keep[i] = value[i] >= threshold && value[i] > 0;
    for (size_t i = n; i-- > 0;)
        if (keep[i] && parent[i] >= 0) keep[size_t(parent[i])] = 1;
    size_t kept = 0;
    std::unordered_set<uint64_t> groups; // (parent, tid) of the nodes left out at the top
    for (size_t i = 0; i < n; ++i) {
        if (keep[i]) {
            ++kept;
        } else if (parent[i] < 0 || keep[size_t(parent[i])]) {
            groups.insert(std::hash<int64_t>()(parent[i]) * 0x9e3779b97f4a7c15ull ^
                          uint64_t(tid[i]));
        }
    }
    return kept + groups.size();
}

} // namespace

grouped_input::grouped_input(const report_input& in, size_t limit)
    : in_(in), rank_comp_(ranking_component(in.components())) {
    const size_t n = in.size();
    const size_t nc = in.components().size();
    std::vector<double> value(n);
    std::vector<int64_t> parent(n), tid(n);
    for (size_t i = 0; i < n; ++i) {
        const node_view v = in.node(i);
        const double x = rank_comp_ < v.inclusive.size() ? v.inclusive[rank_comp_].sum : 0;
        value[i] = std::isfinite(x) ? x : 0;
        parent[i] = v.parent;
        tid[i] = v.tid;
    }
    // The largest number of nodes by value whose threshold leaves at most `limit` nodes,
    // groups included (ancestors and groups make the count larger than k).
    std::vector<double> sorted = value;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    std::vector<char> keep;
    size_t lo = 0, hi = std::min(limit, n);
    double best = std::numeric_limits<double>::infinity();
    while (lo < hi) {
        const size_t k = (lo + hi + 1) / 2;
        if (mark(value, parent, tid, sorted[k - 1], keep) <= limit) {
            lo = k;
            best = sorted[k - 1];
        } else {
            hi = k - 1;
        }
    }
    threshold_ = std::isfinite(best) ? best : 0;
    mark(value, parent, tid, best, keep);

    // The output, in pre-order: kept nodes in their order; a parent's groups after its
    // descendants, when it is closed.
    std::vector<std::vector<size_t>> kids;
    std::map<std::pair<int64_t, int64_t>, size_t> open_groups; // (out parent, tid) → group
    auto add_slot = [&](slot s) {
        slots_.push_back(s);
        kids.emplace_back();
        if (s.parent >= 0) kids[size_t(s.parent)].push_back(slots_.size() - 1);
    };
    auto close_groups_of = [&](int64_t out_parent) {
        for (auto it = open_groups.lower_bound({out_parent, std::numeric_limits<int64_t>::min()});
             it != open_groups.end() && it->first.first == out_parent; it = open_groups.erase(it)) {
            slot s;
            s.group = it->second;
            s.parent = out_parent;
            add_slot(s);
        }
    };
    std::vector<int64_t> out_of(n, -1);
    std::vector<size_t> stack; // input indices of the open kept nodes
    for (size_t i = 0; i < n; ++i) {
        const int64_t p = parent[i];
        if (keep[i]) {
            while (!stack.empty() && int64_t(stack.back()) != p) {
                close_groups_of(out_of[stack.back()]);
                stack.pop_back();
            }
            out_of[i] = int64_t(slots_.size());
            slot s;
            s.source = int64_t(i);
            s.parent = p >= 0 ? out_of[size_t(p)] : -1;
            add_slot(s);
            stack.push_back(i);
            ++kept_;
            continue;
        }
        if (p >= 0 && !keep[size_t(p)]) continue; // inside a node already grouped
        const int64_t out_parent = p >= 0 ? out_of[size_t(p)] : -1;
        auto [it, fresh] = open_groups.try_emplace({out_parent, tid[i]}, groups_.size());
        if (fresh) {
            group g;
            g.parent = out_parent;
            g.tid = tid[i];
            g.inclusive.assign(nc, stats{0, 0, std::numeric_limits<double>::infinity(),
                                         -std::numeric_limits<double>::infinity(), nan_value});
            groups_.push_back(std::move(g));
        }
        group& g = groups_[it->second];
        const node_view v = in.node(i);
        node_view& gv = g.view;
        if (fresh) {
            gv.start_ns = v.start_ns;
            gv.pid = v.pid;
            gv.rank = v.rank;
            gv.depth = v.depth;
            gv.tid = v.tid;
            gv.threads = 0;
            gv.ranks = v.ranks;
        }
        gv.count += v.count;
        gv.untimed += v.untimed;
        gv.start_ns = std::min(gv.start_ns, v.start_ns);
        gv.threads = std::max(gv.threads, v.threads);
        gv.ranks = std::max(gv.ranks, v.ranks);
        for (size_t c = 0; c < nc && c < v.inclusive.size(); ++c) {
            stats& s = g.inclusive[c];
            s.sum += v.inclusive[c].sum;
            s.min = std::min(s.min, v.inclusive[c].min);
            s.max = std::max(s.max, v.inclusive[c].max);
        }
        if (!v.estimated.empty()) {
            g.estimated.resize(nc, 0.0);
            for (size_t c = 0; c < nc && c < v.estimated.size(); ++c)
                g.estimated[c] += v.estimated[c];
        }
    }
    while (!stack.empty()) {
        close_groups_of(out_of[stack.back()]);
        stack.pop_back();
    }
    close_groups_of(-1);

    // Flattened children; the groups' views (their vectors no longer move).
    for (size_t k = 0; k < slots_.size(); ++k) {
        slots_[k].first_child = children_.size();
        slots_[k].child_count = kids[k].size();
        children_.insert(children_.end(), kids[k].begin(), kids[k].end());
    }
    const uint64_t name_hash = fnv1a(grouped_node_name);
    for (group& g : groups_) {
        node_view& gv = g.view;
        for (stats& s : g.inclusive)
            s.mean = gv.count > 0 ? s.sum / double(gv.count) : 0;
        g.exclusive = g.inclusive;
        for (stats& s : g.exclusive)
            s.min = s.max = nan_value;
        gv.name = grouped_node_name;
        gv.linkage = grouped_node_name;
        gv.file = "";
        gv.language = 4; // a region
        gv.parent = g.parent;
        gv.hash = name_hash;
        const uint64_t parent_path =
            g.parent >= 0 ? in_.node(size_t(slots_[size_t(g.parent)].source)).rolling_hash : 0;
        gv.rolling_hash =
            fnv1a(grouped_node_name, parent_path ^ 0x9e3779b97f4a7c15ull ^ uint64_t(g.tid));
        gv.inclusive = g.inclusive;
        gv.exclusive = g.exclusive;
        gv.estimated = g.estimated;
    }
}

node_view grouped_input::node(size_t i) const {
    const slot& s = slots_[i];
    node_view v = s.source >= 0 ? in_.node(size_t(s.source)) : groups_[s.group].view;
    v.parent = s.parent;
    v.children = std::span<const size_t>(children_.data() + s.first_child, s.child_count);
    return v;
}

} // namespace timemory::rt
