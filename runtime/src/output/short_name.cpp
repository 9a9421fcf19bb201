#include "output/short_name.hpp"

#include <cctype>
#include <vector>

namespace timemory::rt {

namespace {

// Positions of the bracket pairs `open`/`close` in `s`, with their nesting depth, skipping
// operator names whose spelling contains those characters.
struct span {
    size_t open, close;
    int depth;
};

std::vector<span> bracket_spans(const std::string& s, char open, char close) {
    std::vector<span> out;
    std::vector<size_t> stack;
    for (size_t i = 0; i < s.size(); ++i) {
        const bool word_start =
            i == 0 || !(std::isalnum(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '_');
        if (word_start && s.compare(i, 8, "operator") == 0) {
            // operator<, <<, <=, <=>, <<=, >, >>, >=, >>=, ->, ->*, (), and the rest.
            size_t j = i + 8;
            while (j < s.size() && s[j] == ' ')
                ++j;
            if (j < s.size() && s.compare(j, 2, "()") == 0) j += 2;
            while (j < s.size() &&
                   (s[j] == '<' || s[j] == '>' || s[j] == '=' || s[j] == '-' || s[j] == '*'))
                ++j;
            // `operator< <T>`: a template list may follow; it starts after what was skipped.
            i = j - 1;
            continue;
        }
        if (s[i] == open) {
            stack.push_back(i);
        } else if (s[i] == close && !stack.empty()) {
            out.push_back(span{stack.back(), i, int(stack.size())});
            stack.pop_back();
        }
    }
    return out;
}

// Replaces the contents of the deepest `open`..`close` lists (and of every list at that
// depth) by "...". False when nothing could be shortened.
bool collapse_deepest(std::string& s, char open, char close) {
    std::vector<span> spans = bracket_spans(s, open, close);
    int deepest = 0;
    for (const span& sp : spans)
        if (sp.close - sp.open > 4 && sp.depth > deepest) deepest = sp.depth;
    if (deepest == 0) return false;
    // Right to left, so earlier positions stay valid.
    bool changed = false;
    for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
        if (it->depth != deepest || it->close - it->open <= 4) continue;
        s.replace(it->open + 1, it->close - it->open - 1, "...");
        changed = true;
    }
    return changed;
}

} // namespace

std::string shorten_name(const std::string& name, size_t max) {
    if (max == 0 || name.size() <= max) return name;
    std::string s = name;
    while (s.size() > max && collapse_deepest(s, '<', '>')) {
    }
    while (s.size() > max && collapse_deepest(s, '(', ')')) {
    }
    if (s.size() > max) {
        // Keep both ends: the namespace or class and the function name at the end.
        const size_t keep = max > 3 ? max - 3 : 0;
        const size_t head = (keep + 1) / 2, tail = keep - head;
        s = s.substr(0, head) + "..." + s.substr(s.size() - tail);
    }
    return s;
}

} // namespace timemory::rt
