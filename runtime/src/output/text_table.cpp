#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <iterator>
#include <limits>

#include "base/host_state.hpp"
#include "base/text.hpp"
#include "output/formats.hpp"
#include "output/short_name.hpp"
#include "settings/units.hpp"

namespace timemory::rt {

namespace {

// Writes `x` into `out` (replacing its text, keeping its capacity: no allocation per cell).
// std::to_chars: the same digits as printf's %.*f / %.*e, several times faster than a
// format string (a table of a million rows formats seven million numbers).
void number(std::string& out, double x, bool scientific, int prec) {
    out.clear();
    if (std::isnan(x)) return;
    char buf[400]; // DBL_MAX in fixed notation with up to 20 decimals fits
    auto res = std::to_chars(buf, buf + sizeof(buf), x,
                             scientific ? std::chars_format::scientific : std::chars_format::fixed,
                             std::clamp(prec, 0, 20));
    if (res.ec == std::errc()) out.assign(buf, res.ptr);
}

template <typename Int>
void integer(std::string& out, Int x) {
    char buf[24];
    out.assign(buf, std::to_chars(buf, buf + sizeof(buf), x).ptr);
}

// Characters as a terminal counts them (UTF-8 continuation bytes are not characters).
size_t display_width(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xc0) != 0x80;
    return n;
}

// Appends `s` padded with spaces to `width` characters, on the right or on the left.
void pad(std::string& out, const std::string& s, size_t width, bool left) {
    const size_t n = display_width(s);
    if (!left && n < width) out.append(width - n, ' ');
    out += s;
    if (left && n < width) out.append(width - n, ' ');
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
bool mixes_languages(const report_input& r) {
    bool python = false, compiled = false;
    for (size_t i = 0; i < r.size(); ++i) {
        const node_view n = r.node(i);
        python |= n.language == TIMEMORY_LANG_PYTHON;
        compiled |= n.language == TIMEMORY_LANG_C || n.language == TIMEMORY_LANG_CXX;
    }
    return python && compiled;
}

// The tree decoration of a row: |N> is the MPI rank (|all> a graph combined over ranks),
// then indentation and |_ by depth, then the language tag.
std::string row_prefix(const node_view& n, int rank, bool tag) {
    std::string label = rank >= 0 ? fmt::format("|{}>>> ", rank) : std::string("|all>>> ");
    // Indented by depth up to 64 levels; deeper rows keep that indentation (the DEPTH
    // column says how deep): a table's size stays linear in its rows at any depth.
    constexpr size_t max_indent = 64;
    if (n.depth > 0)
        label += std::string(2 * std::min(size_t(n.depth) - 1, max_indent), ' ') + "|_";
    if (tag) label += language_tag(n.language);
    return label;
}

// Marks values that are partly estimated (calls of a throttled function that were
// counted, not timed); explained under the table.
constexpr const char* estimated_mark = " [estimated]";

// Marks the top of work that ran on other threads (a pool's workers, an OpenMP team's),
// concurrently with the node above it; explained under the table.
std::string thread_mark(const report_input& r, const node_view& n) {
    if (n.parent < 0 || r.node(size_t(n.parent)).tid == n.tid) return "";
    return n.threads > 1 ? " [" + std::to_string(n.threads) + " threads]"
                         : " [thread " + std::to_string(n.tid) + "]";
}

std::string decorate(const report_input& r, const node_view& n, int rank, bool tag,
                     size_t max_width) {
    std::string prefix = row_prefix(n, rank, tag);
    const std::string suffix = thread_mark(r, n) + (n.untimed > 0 ? estimated_mark : "");
    size_t budget = 0;
    if (max_width > 0) {
        const size_t fixed = prefix.size() + suffix.size();
        budget = max_width > fixed + 24 ? max_width - fixed : 24;
    }
    return prefix + shorten_name(printable(std::string(n.name)), budget) + suffix;
}

// The values of a number column whose text is widest: the largest finite positive value,
// the most negative one, zeros (-0 has a sign) and infinities (NaN is written as nothing).
struct extremes {
    double most = 0, least = 0;
    bool positive = false, negative = false;
    std::vector<double> special; ///< 0, -0, inf, -inf, each once
    void add(double x) {
        if (std::isnan(x)) return;
        if (x == 0 || std::isinf(x)) {
            for (double s : special)
                if (s == x && std::signbit(s) == std::signbit(x)) return;
            special.push_back(x);
        } else if (x > 0) {
            most = positive ? std::max(most, x) : x;
            positive = true;
        } else {
            least = negative ? std::min(least, x) : x;
            negative = true;
        }
    }
    std::vector<double> values() const {
        std::vector<double> out = special;
        if (positive) out.push_back(most);
        if (negative) out.push_back(least);
        return out;
    }
};

// The value columns of a table: one unit and precision each.
struct value_column {
    std::string unit;  ///< "" in the classic layout (the UNITS column says it)
    double factor = 1; ///< display value = reported value * factor
    int precision = 3;
};

// With TIMEMORY_TIMING_UNITS / MEMORY_UNITS = auto, every value column of a time or memory
// table gets the unit in which its largest value reads 1 to 1000, and enough decimals for
// its smallest non-zero value to show two significant digits (at most three more than
// TIMEMORY_PRECISION).
struct column_range {
    double largest = 0, smallest = std::numeric_limits<double>::infinity(); ///< |non-zero|
    void add(double value) {
        const double x = std::fabs(value);
        if (std::isnan(x) || x == 0) return;
        largest = std::max(largest, x);
        smallest = std::min(smallest, x);
    }
};

std::vector<value_column> choose_columns(const component_info& ci, const settings::values& v,
                                         const std::array<column_range, 5>& ranges) {
    std::vector<value_column> cols(5);
    for (auto& c : cols)
        c.precision = int(v.precision);
    const bool time = ci.kind == "time" && is_auto_unit(v.timing_units);
    const bool memory = ci.kind == "memory" && is_auto_unit(v.memory_units);
    if (!time && !memory) return cols;
    for (size_t k = 0; k < 5; ++k) {
        const double largest = ranges[k].largest, smallest = ranges[k].smallest;
        const unit u = readable_unit(ci.kind, largest * ci.unit_value);
        cols[k].unit = u.name;
        cols[k].factor = ci.unit_value / u.value;
        if (largest > 0 && !v.scientific) {
            const double low = smallest * cols[k].factor;
            const int need = low < 1 ? int(std::ceil(-std::log10(low))) + 1 : 0;
            cols[k].precision = std::clamp(need, int(v.precision), int(v.precision) + 3);
        }
    }
    return cols;
}

} // namespace

void write_text_table(std::FILE* out, const report_input& r, const report_unit& u,
                      const settings::values& v, int rank) {
    fp_env_guard fp;
    const std::vector<component_info>& comps = r.components();
    const std::string title = unit_description(comps, u);
    const bool tag = mixes_languages(r);
    // Two passes over the rows, nothing stored per row: the first finds the column widths,
    // the second writes. A group (papi_vector) has one row per value and node (METRIC
    // names the value).
    auto values = [](const stats& in) {
        return std::array<double, 5>{in.sum, in.mean, in.min, in.max, in.stddev};
    };
    auto self_percent = [](const stats& in, const stats& ex) {
        return in.sum != 0 ? 100.0 * ex.sum / in.sum : 0.0;
    };
    const size_t max_width = size_t(v.max_label_width);
    bool any_estimated = false, any_thread = false;
    std::array<column_range, 5> ranges;
    // The widest cell of each number column is the text of its extreme values (fixed
    // notation is never narrower for a larger magnitude), so the widths need no row
    // formatted; scientific notation is not so (1e-100 is wider than 1e+05).
    std::array<extremes, 6> ext; // the five values and % SELF
    int64_t count_max = 0, depth_min = 0, depth_max = 0;
    size_t lw = 5;
    for (size_t i = 0; i < r.size(); ++i) {
        const node_view n = r.node(i);
        any_estimated = any_estimated || n.untimed > 0;
        any_thread = any_thread || !thread_mark(r, n).empty();
        lw = std::max(lw, display_width(decorate(r, n, rank, tag, max_width)));
        count_max = std::max(count_max, int64_t(n.count));
        depth_min = std::min(depth_min, int64_t(n.depth));
        depth_max = std::max(depth_max, int64_t(n.depth));
        for (size_t c = u.first; c < u.first + u.count; ++c) {
            const std::array<double, 5> vals = values(n.inclusive[c]);
            for (size_t k = 0; k < 5; ++k) {
                ranges[k].add(vals[k]);
                ext[k].add(vals[k]);
            }
            ext[5].add(self_percent(n.inclusive[c], n.exclusive[c]));
        }
    }
    const std::vector<value_column> cols = choose_columns(comps[u.first], v, ranges);
    const bool auto_units = !cols[0].unit.empty();

    // Headers: the UNITS column, or (auto units) the unit of each value column.
    std::vector<std::string> headers{"COUNT", "DEPTH", "METRIC"};
    if (!auto_units) headers.push_back("UNITS");
    const char* value_names[] = {"SUM", "MEAN", "MIN", "MAX", "STDDEV"};
    for (size_t k = 0; k < 5; ++k)
        headers.push_back(auto_units ? fmt::format("{} ({})", value_names[k], cols[k].unit)
                                     : std::string(value_names[k]));
    headers.push_back("% SELF");
    const size_t ncol = headers.size();
    const size_t first_value = auto_units ? 3 : 4;

    std::vector<std::string> text(ncol);
    auto row_text = [&](const node_view& n, size_t comp) {
        const component_info& ci = comps[comp];
        const stats& in = n.inclusive[comp];
        const stats& ex = n.exclusive[comp];
        const std::array<double, 5> vals = values(in);
        size_t k = 0;
        integer(text[k++], n.count);
        integer(text[k++], n.depth);
        text[k++] = ci.label;
        if (!auto_units) text[k++] = ci.units;
        for (size_t j = 0; j < 5; ++j)
            number(text[k++], vals[j] * cols[j].factor, v.scientific, cols[j].precision);
        number(text[k], self_percent(in, ex), false, 1);
    };
    std::vector<size_t> w(ncol);
    for (size_t c = 0; c < ncol; ++c)
        w[c] = std::max<size_t>(size_t(v.width), headers[c].size());
    auto widen = [&](size_t c, const std::string& cell) {
        w[c] = std::max(w[c], display_width(cell));
    };
    if (v.scientific) {
        for (size_t i = 0; i < r.size(); ++i) {
            const node_view n = r.node(i);
            for (size_t comp = u.first; comp < u.first + u.count; ++comp) {
                row_text(n, comp);
                for (size_t c = 0; c < ncol; ++c)
                    widen(c, text[c]);
            }
        }
    } else if (r.size() > 0) {
        std::string cell;
        integer(cell, count_max);
        widen(0, cell);
        for (int64_t x : {depth_min, depth_max}) {
            integer(cell, x);
            widen(1, cell);
        }
        for (size_t comp = u.first; comp < u.first + u.count; ++comp) {
            widen(2, comps[comp].label);
            if (!auto_units) widen(3, comps[comp].units);
        }
        for (size_t k = 0; k < 6; ++k)
            for (double x : ext[k].values()) {
                if (k < 5)
                    number(cell, x * cols[k].factor, false, cols[k].precision);
                else
                    number(cell, x, false, 1);
                widen(first_value + k, cell);
            }
    }
    size_t total = 2 + lw;
    for (size_t c = 0; c < ncol; ++c)
        total += 3 + w[c];
    total += 2;

    auto put = [out](const std::string& s) { std::fwrite(s.data(), 1, s.size(), out); };
    const std::string rule = "|" + std::string(total - 2, '-') + "|\n";
    put(rule);
    put(fmt::format("| {:<{}} |\n", upper(title), total - 4));
    put(rule);
    std::string line;
    auto write_line = [&](const std::string& label, const std::vector<std::string>& cells_text,
                          bool left) {
        line.assign("| ");
        pad(line, label, lw, true);
        for (size_t c = 0; c < ncol; ++c) {
            line += " | ";
            pad(line, cells_text[c], w[c], left || c == 2 || (c == 3 && first_value == 4));
        }
        line += ' ';
        line += "|\n";
        put(line);
    };
    write_line("LABEL", headers, true);
    std::vector<std::string> dashes(ncol);
    for (size_t c = 0; c < ncol; ++c)
        dashes[c] = std::string(w[c], '-');
    write_line(std::string(lw, '-'), dashes, true);
    for (size_t i = 0; i < r.size(); ++i) {
        const node_view n = r.node(i);
        const std::string label = decorate(r, n, rank, tag, max_width);
        for (size_t comp = u.first; comp < u.first + u.count; ++comp) {
            row_text(n, comp);
            write_line(label, text, false);
        }
    }
    put(rule);
    if (any_thread)
        put("[thread N], [N threads]: work that ran on other threads (started here), "
            "concurrently with the row above it: never part of that row's % SELF, and its "
            "SUM may exceed the row's.\n");
    if (any_estimated)
        put(std::string(estimated_mark + 1) +
            ": a throttled function (short, and called more than TIMEMORY_THROTTLE_COUNT "
            "times): some calls were counted but not timed, and their share of SUM and MEAN "
            "is estimated from the timed calls (MIN, MAX and STDDEV describe the timed "
            "calls). TIMEMORY_THROTTLE_COUNT=0 times every call.\n");
}

std::string text_table(const report_input& r, const report_unit& u, const settings::values& v,
                       int rank) {
    return text_of([&](std::FILE* f) { write_text_table(f, r, u, v, rank); });
}

} // namespace timemory::rt
