#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "output/formats.hpp"

namespace timemory::rt {

namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return s;
}

std::string number(double x, const settings::values& v) {
    if (std::isnan(x)) return "";
    int prec = int(v.precision);
    return v.scientific ? fmt::format("{:.{}e}", x, prec) : fmt::format("{:.{}f}", x, prec);
}

const char* language_tag(int lang) {
    switch (lang) {
    case TIMEMORY_LANG_C:
        return "[c] ";
    case TIMEMORY_LANG_CXX:
        return "[cxx] ";
    case TIMEMORY_LANG_PYTHON:
        return "[pyc] ";
    default:
        return "";
    }
}

// Languages are tagged only in a report that mixes Python with compiled code.
bool mixes_languages(const result& r) {
    bool python = false, compiled = false;
    for (const auto& n : r.nodes) {
        python |= n.language == TIMEMORY_LANG_PYTHON;
        compiled |= n.language == TIMEMORY_LANG_C || n.language == TIMEMORY_LANG_CXX;
    }
    return python && compiled;
}

std::string decorate(const result_node& n, int rank, bool tag) {
    // |N> is the MPI rank; |all> marks a graph combined over ranks.
    std::string label = rank >= 0 ? fmt::format("|{}>>> ", rank) : std::string("|all>>> ");
    if (n.depth > 0) label += std::string(size_t(2 * (n.depth - 1)), ' ') + "|_";
    if (tag) label += language_tag(n.language);
    label += n.name;
    if (n.throttled) label += " [throttled]";
    return label;
}

} // namespace

std::string text_table(const result& r, const report_unit& u, const settings::values& v, int rank) {
    const std::string title = unit_description(r, u);
    static const char* headers[] = {"COUNT", "DEPTH", "METRIC", "UNITS",  "SUM",
                                    "MEAN",  "MIN",   "MAX",    "STDDEV", "% SELF"};
    constexpr size_t ncol = 10;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> labels;
    const bool tag = mixes_languages(r);
    // A group (papi_vector) has one row per value and node; METRIC names the value.
    for (const auto& n : r.nodes) {
        for (size_t c = u.first; c < u.first + u.count; ++c) {
            const component_info& ci = r.components[c];
            const stats& in = n.inclusive[c];
            const stats& ex = n.exclusive[c];
            double self = in.sum != 0 ? 100.0 * ex.sum / in.sum : 0.0;
            labels.push_back(decorate(n, rank, tag));
            rows.push_back({std::to_string(n.count), std::to_string(n.depth), ci.label, ci.units,
                            number(in.sum, v), number(in.mean, v), number(in.min, v),
                            number(in.max, v), number(in.stddev, v), fmt::format("{:.1f}", self)});
        }
    }
    size_t lw = 5;
    for (const auto& l : labels)
        lw = std::max(lw, l.size());
    std::vector<size_t> w(ncol);
    for (size_t c = 0; c < ncol; ++c) {
        w[c] = std::max<size_t>(size_t(v.width), std::string(headers[c]).size());
        for (const auto& row : rows)
            w[c] = std::max(w[c], row[c].size());
    }
    size_t total = 2 + lw;
    for (size_t c = 0; c < ncol; ++c)
        total += 3 + w[c];
    total += 2;

    std::string out;
    const std::string rule = "|" + std::string(total - 2, '-') + "|\n";
    out += rule;
    out += fmt::format("| {:<{}} |\n", upper(title), total - 4);
    out += rule;
    auto line = [&](const std::string& label, const std::vector<std::string>& cells, bool left) {
        std::string s = fmt::format("| {:<{}} ", label, lw);
        for (size_t c = 0; c < ncol; ++c) {
            bool align_left = left || c == 2 || c == 3;
            s += align_left ? fmt::format("| {:<{}} ", cells[c], w[c])
                            : fmt::format("| {:>{}} ", cells[c], w[c]);
        }
        return s + "|\n";
    };
    out += line("LABEL", std::vector<std::string>(headers, headers + ncol), true);
    std::vector<std::string> dashes(ncol);
    for (size_t c = 0; c < ncol; ++c)
        dashes[c] = std::string(w[c], '-');
    out += line(std::string(lw, '-'), dashes, true);
    for (size_t i = 0; i < rows.size(); ++i)
        out += line(labels[i], rows[i], false);
    out += rule;
    return out;
}

} // namespace timemory::rt
