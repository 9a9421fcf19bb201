#include "graph/report_input.hpp"

namespace timemory::rt {

namespace {
// The plain fields node_view and result_node share, from one to the other.
template <typename To, typename From>
void copy_scalars(To& to, const From& from) {
    to.line = from.line;
    to.language = from.language;
    to.throttled = from.throttled;
    to.parent = from.parent;
    to.depth = from.depth;
    to.count = from.count;
    to.untimed = from.untimed;
    to.hash = from.hash;
    to.rolling_hash = from.rolling_hash;
    to.tid = from.tid;
    to.threads = from.threads;
    to.pid = from.pid;
    to.rank = from.rank;
    to.start_ns = from.start_ns;
    to.ranks = from.ranks;
}
} // namespace

node_view result_input::node(size_t i) const {
    const result_node& n = r_.nodes[i];
    node_view v;
    v.name = n.name;
    v.linkage = n.linkage;
    v.file = n.file;
    copy_scalars(v, n);
    v.children = n.children;
    v.estimated = n.estimated;
    v.per_rank = n.per_rank;
    v.inclusive = n.inclusive;
    v.exclusive = n.exclusive;
    return v;
}

result to_result(const report_input& in) {
    result res;
    res.components = in.components();
    res.nodes.reserve(in.size()); // no reallocation: the result is the largest structure here
    for (size_t i = 0; i < in.size(); ++i) {
        const node_view v = in.node(i);
        result_node& n = res.nodes.emplace_back();
        n.name = v.name;
        n.linkage = v.linkage;
        n.file = v.file;
        copy_scalars(n, v);
        n.children.assign(v.children.begin(), v.children.end());
        n.estimated.assign(v.estimated.begin(), v.estimated.end());
        n.per_rank.assign(v.per_rank.begin(), v.per_rank.end());
        n.inclusive.assign(v.inclusive.begin(), v.inclusive.end());
        n.exclusive.assign(v.exclusive.begin(), v.exclusive.end());
    }
    return res;
}

} // namespace timemory::rt
