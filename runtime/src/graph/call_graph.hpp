// A per-thread call graph: a trie of nodes keyed by (parent node, site id).
//
//      root (index 0, site 0)
//       ├── main            key (0, id(main))
//       │    ├── solve      key (1, id(solve))
//       │    └── io         key (1, id(io))
//       └── worker          key (0, id(worker))
//
// Nodes live in one vector and are only appended, so a child always has a larger index
// than its parent: index order is a topological order (merging relies on it). Children
// are found through an open-addressing table keyed by the 64-bit (parent, site) pair, with
// a one-entry cache per node for the common "same callee again" case. Each node keeps a
// running_stat block per bundle component.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <vector>

#include "base/pages.hpp"

namespace timemory::rt {

/// A frame past the depth limit: open, not recorded, and its children are not either.
constexpr uint32_t no_node = std::numeric_limits<uint32_t>::max();
/// A frame opened before the graph was forgotten (fork child, reset): not recorded, and its
/// children become top-level nodes of the new graph.
constexpr uint32_t detached_node = no_node - 1;
/// In a merge map (call_graph::merge_placed): a node whose subtree is left out.
constexpr uint32_t skip_node = no_node - 2;

/// Running statistics of one component's inclusive value at one node, in the raw integer
/// units of its source (wall ticks, ns, bytes, counts). Integer arithmetic only: this is
/// updated on the host's threads at every exit, and must never raise a floating-point
/// flag (FE_INEXACT from a rounded square) or trap where the program enabled traps.
/// Conversion to display units happens at report time, under a saved FP environment.
struct running_stat {
    int64_t sum = 0;
    int64_t min = std::numeric_limits<int64_t>::max();
    int64_t max = std::numeric_limits<int64_t>::min();
    int64_t num = 0, den = 0; ///< ratio components: summed numerator and denominator
    int64_t pending = 0;      ///< value of suspended segments of calls not yet finished
    unsigned __int128 sumsq = 0;

    /// Ends a call whose last segment measured `v`: its value includes earlier segments.
    void finish(int64_t v) noexcept {
        add(v + pending);
        pending = 0;
    }

    void add(int64_t v) noexcept {
        sum += v;
        sumsq += static_cast<unsigned __int128>(static_cast<__int128>(v) * v);
        if (v < min) min = v;
        if (v > max) max = v;
    }
    void combine(const running_stat& o) noexcept {
        sum += o.sum;
        sumsq += o.sumsq;
        if (o.min < min) min = o.min;
        if (o.max > max) max = o.max;
        num += o.num;
        den += o.den;
    }
    /// True before the first value (min and max hold their sentinels).
    bool empty() const noexcept { return min > max; }
};

struct node {
    uint32_t parent = no_node;
    uint32_t site = 0;  ///< dense site id; 0 for the root and synthetic nodes
    uint32_t depth = 0; ///< root: 0; its children: 1 (reported as depth - 1)
    uint32_t cache_site = 0, cache_node = no_node;
    uint32_t threads = 1;     ///< threads whose calls are merged here (see merge)
    uint64_t count = 0;       ///< completed, measured calls
    uint64_t unmeasured = 0;  ///< calls counted after the site was throttled
    uint64_t inflight = 0;    ///< suspended calls not finished (see settle_segment)
    uint32_t sample_tick = 0; ///< throttled calls left until the next timed one (a sample)
    bool throttled = false;   ///< has had a throttled call (its baseline is recorded)
    bool foreign = false;     ///< top of another thread's work, kept apart (see merge)
    int64_t ticks = 0;        ///< summed wall ticks of measured calls (throttling decision)
    int64_t first_ticks = std::numeric_limits<int64_t>::max(); ///< earliest entry
};

class call_graph {
public:
    explicit call_graph(size_t components);

    /// The child of `parent` for `site`, created when missing (`ticks` = its entry time).
    uint32_t child(uint32_t parent, uint32_t site, int64_t ticks) {
        node& p = nodes_[parent];
        if (p.cache_site == site) return p.cache_node;
        return child_slow(parent, site, ticks);
    }

    /// The child of `parent` for `site` when one of the caches knows it, else no_node:
    /// the parent's last child, then a small table of recent (parent, site) pairs (a
    /// function that calls a() and b() in turn misses the first every time). Inline, for
    /// the hot path: no hashing of the full table, no allocation.
    uint32_t cached_child(uint32_t parent, uint32_t site) const noexcept {
        const node& p = nodes_[parent];
        if (p.cache_site == site) return p.cache_node;
        const uint64_t key = (uint64_t(parent) << 32) | site;
        const recent& e = recent_[recent_slot(key)];
        return e.key == key ? e.node : no_node;
    }

    /// The node under the root that stands for node `at` of another graph: where the
    /// graphs of finished threads started at `at` wait to be merged (see merge_subtree).
    /// Its `site` holds `at`.
    uint32_t anchor(uint32_t at) { return find_or_create(0, at | foreign_key, at, 0); }
    /// An anchor keyed `key` holding `site` (an OpenMP worker's node for a parallel region
    /// of another thread: see thread_state::enter_anchored).
    /// Its key has its own bit, apart from the foreign keys of merged threads' nodes.
    uint32_t anchor(uint32_t key, uint32_t site) {
        return find_or_create(0, key | foreign_key | anchor_key, site,
                              std::numeric_limits<int64_t>::max());
    }
    /// A new child of `parent` even if one exists for `site` (timeline mode).
    uint32_t append(uint32_t parent, uint32_t site, int64_t ticks);

    size_t size() const { return nodes_.size(); }
    size_t components() const { return ncomp_; }
    node& at(uint32_t i) { return nodes_[i]; }
    const node& at(uint32_t i) const { return nodes_[i]; }
    running_stat* stats(uint32_t i) { return &stats_[size_t(i) * ncomp_]; }
    const running_stat* stats(uint32_t i) const { return &stats_[size_t(i) * ncomp_]; }

    /// Adds every node of `src` below `dst_parent` (src's root maps to dst_parent),
    /// combining counts and statistics of nodes with the same path, and returns where each
    /// src node went (index in this graph). With `append_only` (timeline mode) every source
    /// node becomes a new node. With `foreign` (src is another thread's graph), src's
    /// top-level nodes never combine with dst_parent's own children: work that ran
    /// concurrently stays apart from work done on this thread (it combines with other
    /// threads' work merged at the same place).
    std::vector<uint32_t> merge(const call_graph& src, uint32_t dst_parent, bool append_only,
                                bool foreign = false);
    /// Adds the graph of finished threads `src`, whose root's children are anchors (see
    /// anchor()): each anchor's subtree goes under the node the anchor stands for when
    /// `in_place` (this graph is the one the threads started from), else under the root;
    /// kept apart like a foreign merge. Returns where each src node went (an anchor: to
    /// the node it stands for).
    std::vector<uint32_t> merge_anchored(const call_graph& src, bool in_place);
    /// The general form: `map` places some nodes of `src` (map[i] = a node of this graph;
    /// skip_node: nowhere); each placed node's subtree is added below its place, the other
    /// nodes are left out. With `foreign_top`, the children of placed nodes are kept apart
    /// like another thread's work. Returns where each src node went (no_node: left out).
    std::vector<uint32_t> merge_placed(const call_graph& src, std::vector<uint32_t> map,
                                       bool append_only, bool foreign_top);

    /// Makes room for merging every graph of `srcs` in (their nodes, baselines and blocks
    /// of samples; null entries skipped), so that the merges themselves allocate nothing
    /// for them: merges that must not stop half-way (a thread's graph folded when it ends)
    /// reserve first, and throw, changing nothing, when there is no memory. `extra` more
    /// nodes besides (an anchor).
    void reserve_for_merge(std::initializer_list<const call_graph*> srcs, size_t extra = 0);

    /// Drops every node but the root.
    void clear();

    /// Records node `i`'s count and sums now, when its first throttled call comes: the
    /// timed calls after it (samples) are what estimates the untimed ones; the calls
    /// before, timed while the function was new, may not look like the rest of the run.
    void record_baseline(uint32_t i) noexcept;
    /// The count and per-component sums at node `i`'s baseline (zeros when none).
    uint64_t baseline_count(uint32_t i) const {
        return i < base_count_.size() ? base_count_[i] : 0;
    }
    int64_t baseline_sum(uint32_t i, size_t c) const {
        return i < base_count_.size() ? base_sum_[size_t(i) * ncomp_ + c] : 0;
    }

    /// Called when a sample of throttled node `i` starts (a timed call among its untimed
    /// ones): the samples finished since the last call join the node's current block of
    /// samples. Blocks hold equal numbers of samples (doubling as they are merged in pairs,
    /// so that they always cover the whole run); sample_mean() takes the median of their
    /// means, which one preempted or page-faulting sample cannot move. Off the hot path.
    void note_sample(uint32_t i) noexcept;
    /// The value per call of node `i`'s samples for component `c`, robust to outliers: the
    /// median of its blocks' means. False when it has fewer than three blocks.
    bool sample_mean(uint32_t i, size_t c, double* out) const;

    /// Marks a key of a foreign subtree's top-level node (see merge); site ids stay below.
    static constexpr uint32_t foreign_key = 1u << 31;
    /// Marks the key of an anchor of another thread's node (dense site ids stay below).
    static constexpr uint32_t anchor_key = 1u << 30;

private:
    /// Finds or creates the child of `parent` indexed under `key` (`site`, or
    /// `site | foreign_key`), holding `site`.
    uint32_t find_or_create(uint32_t parent, uint32_t key, uint32_t site, int64_t ticks);
    uint32_t child_slow(uint32_t parent, uint32_t site, int64_t ticks);
    uint32_t create(uint32_t parent, uint32_t site, int64_t ticks);
    void index(uint32_t parent, uint32_t site, uint32_t node);
    void rehash(size_t capacity);

    struct recent {
        uint64_t key = ~uint64_t(0); ///< (parent << 32) | site
        uint32_t node = no_node;
    };
    static constexpr int recent_bits = 8;
    static size_t recent_slot(uint64_t key) noexcept {
        return size_t((key * 0x9E3779B97F4A7C15ull) >> (64 - recent_bits));
    }
    recent recent_[1 << recent_bits];

    /// Makes room for one more node (nodes, statistics, index) or throws, changing nothing
    /// then: what creates a node must not fail half-way (a node without statistics).
    void make_room();

    // Pages, not malloc: nodes are created from the entry points, which may run in a
    // signal handler that interrupted malloc (base/pages.hpp).
    size_t ncomp_;
    page_vector<node> nodes_;
    page_vector<running_stat> stats_;
    page_vector<uint64_t> base_count_; ///< per node once any baseline exists (else empty)
    page_vector<int64_t> base_sum_;    ///< per node and component, likewise

    /// The blocks of samples of a throttled node (note_sample).
    static constexpr uint32_t max_blocks = 16;
    struct sample_blocks {
        uint64_t start_count = 0; ///< the node's count when the current block began
        uint32_t size = 4;        ///< samples per block
        uint32_t used = 0;        ///< blocks complete
    };
    page_vector<uint32_t> sample_slot_;  ///< per node: 0 none, else its index in samples_ + 1
    page_vector<sample_blocks> samples_; ///< per throttled node
    page_vector<int64_t> sample_start_;  ///< per slot and component: sum at the block start
    page_vector<double> sample_means_;   ///< per slot, block and component
    /// Node `i`'s slot of blocks (made when missing, its current block starting at
    /// `start_count` calls and the node's sums now, `block_size` samples a block).
    uint32_t open_sample_slot(uint32_t i, uint64_t start_count, uint32_t block_size);
    /// Where slot `k`'s next complete block goes (one mean per component, for the caller to
    /// fill), the blocks merged in pairs first when they are full.
    double* next_block(uint32_t k);
    page_vector<uint64_t> keys_; // 0 = empty slot; otherwise (parent << 32 | site) + 1
    page_vector<uint32_t> vals_;
    size_t used_ = 0;
};

/// After a merge into a graph that had `before` nodes and now has `size`: extends `values`
/// (one per node of that graph, new entries `fill`) and gives each node the merge created
/// the value of the source node it came from (`map` as the merge returned it, `src` one per
/// source node). Per-node facts kept beside a graph, such as the recording thread.
inline void carry_node_values(std::vector<int>& values, size_t size, int fill, size_t before,
                              const std::vector<uint32_t>& map, const std::vector<int>& src) {
    values.resize(size, fill);
    for (uint32_t k = 1; k < map.size() && k < src.size(); ++k)
        if (map[k] < skip_node && map[k] >= before) values[map[k]] = src[k];
}

} // namespace timemory::rt
