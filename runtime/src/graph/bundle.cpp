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

void bundle::record(const int64_t* start, const int64_t* stop, running_stat* out) const noexcept {
    for (size_t i = 0; i < comps.size(); ++i) {
        const component& c = *comps[i];
        const int a = static_cast<int>(c.a), b = static_cast<int>(c.b);
        switch (c.how) {
        case value_kind::delta: out[i].add(double(stop[a] - start[a])); break;
        case value_kind::delta2:
            out[i].add(double((stop[a] - start[a]) + (stop[b] - start[b])));
            break;
        case value_kind::absolute: out[i].add(double(stop[a])); break;
        case value_kind::one: out[i].add(1.0); break;
        case value_kind::ratio: {
            const int w = static_cast<int>(field::mono_ns);
            double num = double(stop[a] - start[a]);
            if (b >= 0) num += double(stop[b] - start[b]);
            double den = double(stop[w] - start[w]);
            out[i].num += num;
            out[i].den += den;
            out[i].add(den > 0 ? 100.0 * num / den : 0.0);
            break;
        }
        }
    }
}

} // namespace timemory::rt
