#include "cupti/activity_graph.hpp"

#include <limits>

namespace timemory::rt::cupti {

call_graph activity_graph(const std::vector<activity>& acts,
                          const std::vector<const call_graph*>& threads, std::vector<int>* tid) {
    constexpr int64_t no_time = std::numeric_limits<int64_t>::max();
    call_graph g(2);
    tid->assign(1, 0);
    std::vector<uint32_t> path;
    for (const activity& a : acts) {
        path.clear();
        if (a.thread < threads.size()) {
            const call_graph& tg = *threads[a.thread];
            for (uint32_t n = a.node; n != 0 && n < tg.size(); n = tg.at(n).parent)
                path.push_back(tg.at(n).site);
        }
        uint32_t at = 0;
        for (auto it = path.rbegin(); it != path.rend(); ++it)
            at = g.child(at, *it, no_time);
        uint32_t leaf = g.child(at, a.op_site, no_time);
        tid->resize(g.size(), int(a.thread));
        g.at(leaf).count += a.count;
        g.stats(leaf)[0].combine(a.time);
        g.stats(leaf)[1].combine(a.bytes);
    }
    // Children come after their parents, so one backward pass completes every subtree
    // before it is added to its parent.
    for (uint32_t n = uint32_t(g.size()); n-- > 1;) {
        const node& nd = g.at(n);
        if (nd.parent == 0) continue;
        g.at(nd.parent).count += nd.count;
        for (size_t c = 0; c < 2; ++c)
            g.stats(nd.parent)[c].combine(g.stats(n)[c]);
    }
    return g;
}

} // namespace timemory::rt::cupti
