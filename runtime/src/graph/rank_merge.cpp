// timemory::combine_ranks: one graph from the graphs of several MPI ranks.
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "base/host_state.hpp"
#include "timemory/timemory.hpp"

namespace timemory {

namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

struct accum {
    uint64_t count = 0;
    double sum = 0, sumsq = 0, min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    double excl = 0;
    // over ranks: the inclusive sum on each rank where the node exists
    double rank_min = std::numeric_limits<double>::infinity();
    double rank_max = -std::numeric_limits<double>::infinity(), rank_total = 0, rank_sq = 0;
};

} // namespace

result combine_ranks(const std::vector<result>& ranks) {
    rt::fp_env_guard fp;
    result out;
    if (ranks.empty()) return out;
    out.components = ranks[0].components;
    const size_t nc = out.components.size();

    // Unordered build: nodes keyed by call path; children in first-seen order.
    std::unordered_map<uint64_t, size_t> index;
    std::vector<result_node> nodes;
    std::vector<std::vector<accum>> acc;
    for (const auto& r : ranks) {
        std::vector<int64_t> map(r.nodes.size(), -1);
        for (size_t i = 0; i < r.nodes.size(); ++i) {
            const result_node& n = r.nodes[i];
            auto it = index.find(n.rolling_hash);
            size_t k;
            if (it == index.end()) {
                k = nodes.size();
                index.emplace(n.rolling_hash, k);
                result_node c = n;
                c.children.clear();
                c.count = 0;
                c.untimed = 0;
                c.threads = 0;
                c.estimated.clear();
                c.ranks = 0;
                c.rank = -1;
                c.parent = n.parent >= 0 ? map[size_t(n.parent)] : -1;
                if (c.parent >= 0) nodes[size_t(c.parent)].children.push_back(k);
                nodes.push_back(std::move(c));
                acc.emplace_back(nc);
            } else {
                k = it->second;
                nodes[k].throttled = nodes[k].throttled || n.throttled;
                nodes[k].start_ns = std::min(nodes[k].start_ns, n.start_ns);
            }
            map[i] = int64_t(k);
            nodes[k].count += n.count;
            nodes[k].untimed += n.untimed;
            nodes[k].threads += n.threads; // each rank's threads are its own
            if (!n.estimated.empty()) {
                nodes[k].estimated.resize(nc, 0.0);
                for (size_t c = 0; c < nc && c < n.estimated.size(); ++c)
                    nodes[k].estimated[c] += n.estimated[c];
            }
            nodes[k].ranks += 1;
            for (size_t c = 0; c < nc && c < n.inclusive.size(); ++c) {
                const stats& s = n.inclusive[c];
                accum& a = acc[k][c];
                const double cnt = double(n.count);
                a.count += n.count;
                a.sum += s.sum;
                a.sumsq += cnt * (s.stddev * s.stddev + s.mean * s.mean);
                a.min = std::min(a.min, s.min);
                a.max = std::max(a.max, s.max);
                a.excl += n.exclusive[c].sum;
                a.rank_min = std::min(a.rank_min, s.sum);
                a.rank_max = std::max(a.rank_max, s.sum);
                a.rank_total += s.sum;
                a.rank_sq += s.sum * s.sum;
            }
        }
    }
    for (size_t k = 0; k < nodes.size(); ++k) {
        result_node& n = nodes[k];
        n.inclusive.assign(nc, stats{});
        n.exclusive.assign(nc, stats{});
        n.per_rank.assign(nc, stats{});
        for (size_t c = 0; c < nc; ++c) {
            const accum& a = acc[k][c];
            const double cnt = double(std::max<uint64_t>(a.count, 1));
            const bool percent = out.components[c].kind == "percent";
            stats& in = n.inclusive[c];
            in.sum = percent ? a.sum / std::max(1, n.ranks) : a.sum;
            in.mean = percent ? in.sum : a.sum / cnt;
            in.min = a.min;
            in.max = a.max;
            double mean = a.sum / cnt;
            in.stddev = std::sqrt(std::max(0.0, a.sumsq / cnt - mean * mean));
            stats& ex = n.exclusive[c];
            ex.sum = percent ? in.sum : a.excl;
            ex.mean = percent ? in.sum : a.excl / cnt;
            ex.min = ex.max = ex.stddev = nan_value;
            stats& pr = n.per_rank[c];
            const double r = double(std::max(1, n.ranks));
            pr.sum = a.rank_total;
            pr.mean = a.rank_total / r;
            pr.min = a.rank_min;
            pr.max = a.rank_max;
            pr.stddev = std::sqrt(std::max(0.0, a.rank_sq / r - pr.mean * pr.mean));
        }
    }
    // Pre-order, as every report expects.
    std::vector<int64_t> new_index(nodes.size(), -1);
    std::vector<size_t> todo;
    for (size_t k = nodes.size(); k-- > 0;)
        if (nodes[k].parent < 0) todo.push_back(k);
    while (!todo.empty()) {
        size_t k = todo.back();
        todo.pop_back();
        result_node n = nodes[k];
        n.parent = n.parent >= 0 ? new_index[size_t(n.parent)] : -1;
        std::vector<size_t> kids = n.children;
        n.children.clear();
        new_index[k] = int64_t(out.nodes.size());
        if (n.parent >= 0) out.nodes[size_t(n.parent)].children.push_back(out.nodes.size());
        out.nodes.push_back(std::move(n));
        for (auto it = kids.rbegin(); it != kids.rend(); ++it)
            todo.push_back(*it);
    }
    return out;
}

} // namespace timemory
