// <label>.folded: folded stacks, streamed. The current stack is one string with the
// offset where each level's frame starts: memory is one path, whatever the number of
// lines (keeping each level's whole stack would hold depth² characters).
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "base/text.hpp"
#include "output/formats.hpp"

namespace timemory::rt {

namespace {

// A stack is cut at 1 000 frames or 64 KiB of text, whichever comes first: each line holds
// its whole stack, so deeper stacks would make the file grow with depth squared (a 2 000-
// deep chain of 200-character names: 400 MB). What is below the cut is one "[deeper]" frame.
constexpr size_t max_frames = 1000;
constexpr size_t max_chars = 64 * 1024;

// A frame's text: printable, no ';' (the separator).
std::string frame_text(std::string_view name) {
    std::string s = printable(std::string(name));
    for (char& ch : s)
        if (ch == ';') ch = ':';
    return s;
}

// One graph's lines, each stack after `top` (a frame naming the rank, or "").
void write_graph(std::FILE* out, const report_input& r, const report_unit& u,
                 const std::string& top) {
    const component_info& c = r.components()[u.first];
    std::string path = top;
    std::vector<size_t> level; // level[d]: where frame d starts in `path` (its ';' included)
    std::map<std::string, int64_t> deeper; // the truncated stacks' summed weights
    for (size_t i = 0; i < r.size(); ++i) {
        const node_view nd = r.node(i);
        const size_t d = size_t(std::max(0, nd.depth));
        const double self = nd.exclusive[u.first].sum * c.unit_value / 1e3;
        const int64_t us = std::isfinite(self) ? std::llround(std::max(0.0, self)) : 0;
        // Back to the parent's level (pre-order: the parent is the last node one level up).
        const size_t keep = std::min(d, std::min(level.size(), max_frames - 1));
        path.resize(keep < level.size() ? level[keep] : path.size());
        level.resize(keep);
        std::string frame = frame_text(nd.name);
        if (keep < d || d + 1 >= max_frames || path.size() + 1 + frame.size() > max_chars) {
            // Below the cut: one "[deeper]" frame under the last frame kept.
            deeper[path.empty() ? "[deeper]" : path + ";[deeper]"] += us;
            continue;
        }
        level.push_back(path.size());
        if (!path.empty()) path += ';';
        path += frame;
        if (us > 0) fmt::print(out, "{} {}\n", path, us);
    }
    for (const auto& [stack, us] : deeper)
        if (us > 0) fmt::print(out, "{} {}\n", stack, us);
}

} // namespace

void write_folded(std::FILE* out, std::span<const report_input* const> processes,
                  const report_unit& u) {
    for (size_t k = 0; k < processes.size(); ++k)
        write_graph(out, *processes[k], u,
                    processes.size() > 1 ? "rank " + std::to_string(k) : std::string());
}

void write_folded(std::FILE* out, const report_input& r, const report_unit& u) {
    const report_input* one[] = {&r};
    write_folded(out, one, u);
}

} // namespace timemory::rt
