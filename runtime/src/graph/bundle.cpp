#include "graph/bundle.hpp"

namespace timemory::rt {

void bundle::select(const std::vector<int>& catalog_ids) {
    ids = catalog_ids;
    comps.clear();
    sources = src_wall; // entry times of nodes come from the wall clock
    for (int id : ids) {
        comps.push_back(&catalog()[id]);
        sources |= comps.back()->sources();
    }
    wall_only = comps.size() == 1 && comps[0]->a == field::wall_ticks;
}

int64_t bundle::value_of(const component& c, const int64_t* start, const int64_t* stop,
                         int64_t* num_out, int64_t* den_out) noexcept {
    const int a = static_cast<int>(c.a), b = static_cast<int>(c.b);
    switch (c.how) {
    case value_kind::delta:
        return stop[a] - start[a];
    case value_kind::delta2:
        return (stop[a] - start[a]) + (stop[b] - start[b]);
    case value_kind::absolute:
        return stop[a];
    case value_kind::one:
        return 1;
    case value_kind::group: // never in a bundle: replaced by its values
        return 0;
    case value_kind::ratio: {
        const int w = static_cast<int>(field::mono_ns);
        int64_t num = stop[a] - start[a];
        if (b >= 0) num += stop[b] - start[b];
        const int64_t den = stop[w] - start[w];
        if (num_out) *num_out = num;
        if (den_out) *den_out = den;
        // Integer division: no floating point on the hot path.
        return den > 0 ? int64_t(static_cast<__int128>(num) * 100 * ratio_scale / den) : 0;
    }
    }
    return 0;
}

void bundle::record(const int64_t* start, const int64_t* stop, running_stat* out,
                    bool suspended) const noexcept {
    for (size_t i = 0; i < comps.size(); ++i) {
        const component& c = *comps[i];
        int64_t num = 0, den = 0;
        int64_t v = value_of(c, start, stop, &num, &den);
        out[i].num += num;
        out[i].den += den;
        // A call's trip count and a level are not split across segments.
        if (suspended && c.how != value_kind::one && c.how != value_kind::absolute)
            out[i].pending += v;
        else if (!suspended)
            out[i].finish(v);
    }
}

} // namespace timemory::rt
