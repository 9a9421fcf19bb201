#include "graph/call_graph.hpp"

#include <algorithm>

namespace timemory::rt {

namespace {
inline uint64_t key_of(uint32_t parent, uint32_t site) {
    return ((uint64_t(parent) << 32) | site) + 1;
}
inline size_t slot_of(uint64_t key, size_t mask) {
    // Fibonacci hashing of an integer key: cheap and spreads consecutive ids.
    return size_t((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}
} // namespace

call_graph::call_graph(size_t components) : ncomp_(components) {
    clear();
}

void call_graph::record_baseline(uint32_t i) noexcept {
    nodes_[i].throttled = true;
    try {
        if (base_count_.size() < nodes_.size()) {
            // base_sum_ first: it is read wherever base_count_ reaches.
            reserve_more(base_sum_, nodes_.size() * ncomp_ - base_sum_.size());
            reserve_more(base_count_, nodes_.size() - base_count_.size());
            base_sum_.resize(nodes_.size() * ncomp_, 0);
            base_count_.resize(nodes_.size(), 0);
        }
    } catch (...) {
        return; // no memory: estimated from every timed call, as with no baseline
    }
    base_count_[i] = nodes_[i].count;
    for (size_t c = 0; c < ncomp_; ++c)
        base_sum_[size_t(i) * ncomp_ + c] = stats(i)[c].sum;
}

uint32_t call_graph::open_sample_slot(uint32_t i, uint64_t start_count, uint32_t block_size) {
    if (sample_slot_.size() < nodes_.size()) {
        reserve_more(sample_slot_, nodes_.size() - sample_slot_.size());
        sample_slot_.resize(nodes_.size(), 0);
    }
    if (sample_slot_[i] != 0) return sample_slot_[i] - 1;
    reserve_more(samples_, 1);
    reserve_more(sample_start_, ncomp_);
    reserve_more(sample_means_, size_t(max_blocks) * ncomp_);
    samples_.push_back(sample_blocks{start_count, block_size, 0});
    for (size_t c = 0; c < ncomp_; ++c)
        sample_start_.push_back(stats(i)[c].sum);
    sample_means_.resize(sample_means_.size() + size_t(max_blocks) * ncomp_, 0.0);
    sample_slot_[i] = uint32_t(samples_.size());
    return sample_slot_[i] - 1;
}

void call_graph::note_sample(uint32_t i) noexcept {
    if (i >= sample_slot_.size() || sample_slot_[i] == 0) {
        try {
            open_sample_slot(i, nodes_[i].count, 4); // blocks begin with this sample
        } catch (...) {
            // no memory: this node is estimated from the mean of its samples
        }
        return;
    }
    const uint32_t k = sample_slot_[i] - 1;
    sample_blocks& sb = samples_[k];
    const uint64_t done = nodes_[i].count - sb.start_count;
    if (done < sb.size) return;
    double* mean = next_block(k);
    for (size_t c = 0; c < ncomp_; ++c) {
        int64_t& start = sample_start_[size_t(k) * ncomp_ + c];
        mean[c] = double(stats(i)[c].sum - start) / double(done);
        start = stats(i)[c].sum;
    }
    sb.start_count = nodes_[i].count;
}

double* call_graph::next_block(uint32_t k) {
    sample_blocks& sb = samples_[k];
    double* m = &sample_means_[size_t(k) * max_blocks * ncomp_];
    if (sb.used == max_blocks) {
        // Full: pairs become one block of twice the samples, and so do the blocks to come.
        for (uint32_t j = 0; j < max_blocks / 2; ++j)
            for (size_t c = 0; c < ncomp_; ++c)
                m[j * ncomp_ + c] = (m[2 * j * ncomp_ + c] + m[(2 * j + 1) * ncomp_ + c]) / 2;
        sb.used = max_blocks / 2;
        sb.size *= 2;
    }
    return m + size_t(sb.used++) * ncomp_;
}

bool call_graph::sample_mean(uint32_t i, size_t c, double* out) const {
    if (i >= sample_slot_.size() || sample_slot_[i] == 0) return false;
    const uint32_t k = sample_slot_[i] - 1;
    const sample_blocks& sb = samples_[k];
    if (sb.used < 3) return false;
    double v[max_blocks];
    const double* m = &sample_means_[size_t(k) * max_blocks * ncomp_];
    for (uint32_t j = 0; j < sb.used; ++j)
        v[j] = m[j * ncomp_ + c];
    std::sort(v, v + sb.used);
    *out = sb.used % 2 ? v[sb.used / 2] : (v[sb.used / 2 - 1] + v[sb.used / 2]) / 2;
    return true;
}

void call_graph::reserve_for_merge(std::initializer_list<const call_graph*> srcs, size_t extra) {
    size_t more = extra, slots = 0;
    bool baselines = !base_count_.empty();
    for (const call_graph* src : srcs) {
        if (!src) continue;
        more += src->size();
        slots += src->samples_.size();
        baselines = baselines || !src->base_count_.empty();
    }
    const size_t nodes = nodes_.size() + more;
    reserve_more(nodes_, more);
    reserve_more(stats_, more * ncomp_);
    size_t capacity = keys_.size();
    while ((used_ + more + 1) * 2 > capacity)
        capacity *= 2;
    if (capacity != keys_.size()) rehash(capacity);
    if (baselines) {
        reserve_more(base_sum_, nodes * ncomp_ - base_sum_.size());
        reserve_more(base_count_, nodes - base_count_.size());
    }
    if (slots > 0) {
        reserve_more(sample_slot_, nodes - sample_slot_.size());
        reserve_more(samples_, slots);
        reserve_more(sample_start_, slots * ncomp_);
        reserve_more(sample_means_, slots * size_t(max_blocks) * ncomp_);
    }
}

void call_graph::clear() {
    for (auto& e : recent_)
        e = recent{};
    nodes_.reserve(page_of<node>());
    stats_.reserve(std::max(page_of<running_stat>(), ncomp_));
    nodes_.assign(1, node{});
    stats_.assign(ncomp_, running_stat{});
    base_count_.clear();
    base_sum_.clear();
    sample_slot_.clear();
    samples_.clear();
    sample_start_.clear();
    sample_means_.clear();
    keys_.assign(page_of<uint64_t>(), 0);
    vals_.assign(page_of<uint64_t>(), no_node);
    used_ = 0;
}

uint32_t call_graph::find_or_create(uint32_t parent, uint32_t key_site, uint32_t site,
                                    int64_t ticks) {
    uint64_t key = key_of(parent, key_site);
    size_t mask = keys_.size() - 1;
    for (size_t s = slot_of(key, mask);; s = (s + 1) & mask) {
        if (keys_[s] == key) return vals_[s];
        if (keys_[s] == 0) break;
    }
    make_room();
    uint32_t n = create(parent, site, ticks);
    nodes_[n].foreign = (key_site & foreign_key) != 0;
    index(parent, key_site, n);
    return n;
}

void call_graph::make_room() {
    reserve_more(nodes_, 1);
    reserve_more(stats_, ncomp_);
    if ((used_ + 1) * 2 > keys_.size()) rehash(keys_.size() * 2);
}

uint32_t call_graph::child_slow(uint32_t parent, uint32_t site, int64_t ticks) {
    uint32_t n = find_or_create(parent, site, site, ticks);
    nodes_[parent].cache_site = site;
    nodes_[parent].cache_node = n;
    const uint64_t key = (uint64_t(parent) << 32) | site;
    recent_[recent_slot(key)] = recent{key, n};
    return n;
}

uint32_t call_graph::append(uint32_t parent, uint32_t site, int64_t ticks) {
    reserve_more(nodes_, 1);
    reserve_more(stats_, ncomp_);
    return create(parent, site, ticks);
}

uint32_t call_graph::create(uint32_t parent, uint32_t site, int64_t ticks) {
    node n;
    n.parent = parent;
    n.site = site;
    n.depth = nodes_[parent].depth + 1;
    n.first_ticks = ticks;
    nodes_.push_back(n);
    stats_.resize(stats_.size() + ncomp_);
    return uint32_t(nodes_.size() - 1);
}

void call_graph::index(uint32_t parent, uint32_t site, uint32_t n) {
    if ((used_ + 1) * 2 > keys_.size()) rehash(keys_.size() * 2);
    uint64_t key = key_of(parent, site);
    size_t mask = keys_.size() - 1;
    size_t s = slot_of(key, mask);
    while (keys_[s] != 0)
        s = (s + 1) & mask;
    keys_[s] = key;
    vals_[s] = n;
    ++used_;
}

void call_graph::rehash(size_t capacity) {
    page_vector<uint64_t> keys(capacity, 0);
    page_vector<uint32_t> vals(capacity, no_node);
    size_t mask = capacity - 1;
    for (size_t i = 0; i < keys_.size(); ++i) {
        if (keys_[i] == 0) continue;
        size_t s = slot_of(keys_[i], mask);
        while (keys[s] != 0)
            s = (s + 1) & mask;
        keys[s] = keys_[i];
        vals[s] = vals_[i];
    }
    keys_.swap(keys);
    vals_.swap(vals);
}

std::vector<uint32_t> call_graph::merge(const call_graph& src, uint32_t dst_parent,
                                        bool append_only, bool foreign) {
    std::vector<uint32_t> map(src.size(), no_node);
    map[0] = dst_parent;
    return merge_placed(src, std::move(map), append_only, foreign);
}

std::vector<uint32_t> call_graph::merge_anchored(const call_graph& src, bool in_place) {
    std::vector<uint32_t> map(src.size(), no_node);
    for (uint32_t a = 1; a < src.size(); ++a)
        if (src.at(a).parent == 0) // an anchor
            map[a] = in_place && src.at(a).site < size() ? src.at(a).site : 0;
    return merge_placed(src, std::move(map), false, true);
}

std::vector<uint32_t> call_graph::merge_placed(const call_graph& src, std::vector<uint32_t> map,
                                               bool append_only, bool foreign_top) {
    const uint32_t before = uint32_t(nodes_.size());
    std::vector<char> placed(src.size());
    for (uint32_t i = 0; i < src.size(); ++i)
        placed[i] = map[i] != no_node;
    // Nodes are in topological order: a node comes after its parent.
    for (uint32_t i = 1; i < src.size(); ++i) {
        const node& s = src.at(i);
        if (placed[i] || map[s.parent] == no_node || map[s.parent] == skip_node) continue;
        uint32_t p = map[s.parent];
        uint32_t d;
        if (append_only)
            d = append(p, s.site, s.first_ticks);
        else if ((foreign_top && placed[s.parent]) || s.foreign)
            // Another thread's work stays apart also when merged again (a thread that
            // started threads, merged into the thread that started it).
            d = find_or_create(p, s.site | foreign_key, s.site, s.first_ticks);
        else
            d = child(p, s.site, s.first_ticks);
        const bool created = d >= before;
        map[i] = d;
        node& dn = nodes_[d];
        // Another thread's calls joining this node (merges are always between threads).
        dn.threads = created ? s.threads : dn.threads + s.threads;
        dn.count += s.count;
        dn.unmeasured += s.unmeasured;
        dn.ticks += s.ticks;
        dn.first_ticks = std::min(dn.first_ticks, s.first_ticks);
        dn.throttled = dn.throttled || s.throttled;
        running_stat* ds = stats(d);
        const running_stat* ss = src.stats(i);
        for (size_t c = 0; c < ncomp_; ++c)
            ds[c].combine(ss[c]);
        // Baselines add up like the counts and sums they are taken from.
        if (i < src.base_count_.size() && src.base_count_[i] + src.base_sum_[i * ncomp_] != 0) {
            if (base_count_.size() < nodes_.size()) {
                base_count_.resize(nodes_.size(), 0);
                base_sum_.resize(nodes_.size() * ncomp_, 0);
            }
            base_count_[d] += src.base_count_[i];
            for (size_t c = 0; c < ncomp_; ++c)
                base_sum_[size_t(d) * ncomp_ + c] += src.base_sum_[size_t(i) * ncomp_ + c];
        }
        // Blocks of samples from another thread join this node's.
        if (i < src.sample_slot_.size() && src.sample_slot_[i] != 0) {
            const uint32_t sk = src.sample_slot_[i] - 1;
            const uint32_t dk = open_sample_slot(d, dn.count, src.samples_[sk].size);
            const double* m = &src.sample_means_[size_t(sk) * max_blocks * ncomp_];
            for (uint32_t j = 0; j < src.samples_[sk].used; ++j)
                std::copy(m + j * ncomp_, m + (j + 1) * ncomp_, next_block(dk));
        }
    }
    return map;
}

} // namespace timemory::rt
