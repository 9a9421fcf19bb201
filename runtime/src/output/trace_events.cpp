// <label>.flamegraph.json: Chrome trace events ("X" events, one track per thread), the
// file speedscope, Perfetto and chrome://tracing open.
//
// What the viewers need, and how it is met here:
// - Events on a track nest or follow each other, never overlap partly, and no event has
//   zero length (speedscope orders a zero-length child before its parent and then nests
//   everything after it wrongly). Positions are laid out in integer nanoseconds, then each
//   end point is floored to a quantum of 1/8 µs (125 ns): such times are exact in binary
//   floating point (a viewer's own sums and differences of them are exact, so a child never
//   sticks out of its parent by a rounding error) and whole nanoseconds (Perfetto converts
//   them to its integer nanoseconds exactly). A node shorter than the quantum where it is
//   drawn has no event; the file says how many (otherData).
// - No track runs longer than the program: where several threads' work was merged at one
//   place (threads collapsed, or ranks combined), the track shows the mean per thread, and
//   its name says so.
#include <errno.h> // program_invocation_short_name

#include <algorithm>
#include <cmath>
#include <map>

#include "output/formats.hpp"

namespace timemory::rt {

namespace {

constexpr int64_t quantum_ns = 125; // 1/8 µs

// Where one graph's nodes are drawn, in nanoseconds, and the threads merged per track.
struct layout {
    std::vector<int64_t> start, end;
    std::map<int64_t, uint32_t> merged; // tid → most threads merged into one of its nodes
};

// Whether node `i` starts a track's work: a top-level node, or one that ran on another
// thread than its parent (its subtree goes on that thread's track).
bool starts_track(const report_input& r, const node_view& nd) {
    return nd.parent < 0 || r.node(size_t(nd.parent)).tid != nd.tid;
}

// Each node's drawn width: its inclusive time divided by the threads merged into it (or
// into an ancestor on its track, so that widths add up along the track: a child run by
// 2 of a node's 4 merged threads is its share of the node's mean).
std::vector<int64_t> widths(const report_input& r, size_t comp, layout& lay) {
    const double unit = r.components()[comp].unit_value;
    const size_t n = r.size();
    std::vector<int64_t> width(n, 0);
    std::vector<uint32_t> divisor(n, 1);
    for (size_t i = 0; i < n; ++i) {
        const node_view nd = r.node(i);
        const uint32_t own = std::max<uint32_t>(1, nd.threads);
        divisor[i] = starts_track(r, nd) ? own : std::max(own, divisor[size_t(nd.parent)]);
        const double ns = nd.inclusive[comp].sum * unit / divisor[i];
        width[i] = std::isfinite(ns) ? std::max<int64_t>(0, std::llround(ns)) : 0;
        uint32_t& m = lay.merged[nd.tid];
        m = std::max(m, divisor[i]);
    }
    return width;
}

// The layout of one graph. Default mode: children end to end from their parent's start
// (widths are exact sums). Timeline mode: each node at its real start, moved as little as
// needed to lie inside its parent with room for its later siblings (compensated values
// shorten nodes but not their start times, and merged values are means).
// `run_ns` (> 0): the run's length; a track's work is moved earlier where it would end
// after it (aggregated widths are sums over calls: a worker's share of each call of a
// region can end a little after the region's, and laid from the region's start, many
// calls would run past the program's end).
layout lay_out(const report_input& r, size_t comp, bool timeline, int64_t run_ns) {
    const size_t n = r.size();
    layout lay;
    const std::vector<int64_t> width = widths(r, comp, lay);
    // For each node that starts a track's work: the width of the work after it on its track.
    std::vector<int64_t> later(n, 0);
    if (run_ns > 0) {
        std::map<int64_t, int64_t> rest; // tid → width of the work seen so far, from the end
        for (size_t i = n; i-- > 0;) {
            const node_view nd = r.node(i);
            if (!starts_track(r, nd)) continue;
            int64_t& sum = rest[nd.tid];
            later[i] = sum;
            sum += width[i];
        }
    }
    // Timeline: the width of the later siblings on the parent's track, for each node.
    std::vector<int64_t> after(n, 0);
    if (timeline) {
        for (size_t i = 0; i < n; ++i) {
            const node_view nd = r.node(i);
            int64_t sum = 0;
            for (auto k = nd.children.rbegin(); k != nd.children.rend(); ++k) {
                after[*k] = sum;
                if (r.node(*k).tid == nd.tid) sum += width[*k];
            }
        }
    }
    lay.start.assign(n, 0);
    lay.end.assign(n, 0);
    std::vector<int64_t> cursor(n, 0);
    std::map<int64_t, int64_t> track_end; // tid → end of its last piece of work
    for (size_t i = 0; i < n; ++i) {
        const node_view nd = r.node(i);
        const int64_t begin = std::llround(std::max(0.0, nd.start_ns));
        int64_t& s = lay.start[i];
        int64_t& e = lay.end[i];
        if (starts_track(r, nd)) {
            // From where it was started (its real start, or its spawn point's start), after
            // the track's previous work.
            const bool top = nd.parent < 0;
            int64_t& last = track_end[nd.tid];
            int64_t at = timeline || top ? begin : lay.start[size_t(nd.parent)];
            if (run_ns > 0) at = std::min(at, run_ns - width[i] - later[i]);
            s = std::max(last, at);
            e = s + width[i];
            last = e;
        } else {
            const size_t p = size_t(nd.parent);
            const int64_t lo = std::max(lay.start[p], cursor[p]);
            const int64_t hi = lay.end[p] - after[i] - width[i];
            s = timeline && hi >= lo ? std::clamp(begin, lo, hi) : lo;
            s = std::min(s, lay.end[p]);
            e = std::min(s + width[i], lay.end[p]);
            cursor[p] = e;
        }
        cursor[i] = s;
    }
    return lay;
}

// A time in µs on the quantum: "ts"/"dur" as viewers read them.
double micros(int64_t quanta) {
    return double(quanta) / double(1000 / quantum_ns);
}

void metadata_event(json_writer& w, const char* what, int64_t pid, int64_t tid,
                    const std::string& name) {
    w.begin_object();
    w.member("name", what);
    w.member("ph", "M");
    w.member("pid", pid);
    w.member("tid", tid);
    w.key("args");
    w.begin_object();
    w.member("name", name);
    w.end_object();
    w.end_object();
}

std::string track_name(int64_t tid, uint32_t merged, bool ranks_combined) {
    std::string name = tid == 0 ? "main thread" : "thread " + std::to_string(tid);
    if (merged > 1)
        name += " (" + std::to_string(merged) + (ranks_combined ? " ranks' threads" : " threads") +
                " merged: mean per thread)";
    return name;
}

} // namespace

void write_flamegraph_json(json_writer& w, std::span<const report_input* const> processes,
                           const report_unit& u, bool timeline, int64_t run_ns) {
    const size_t comp = u.first;
    const component_info& c = processes.front()->components()[comp];
    const std::string cat = u.grouped(processes.front()->components()) ? c.group : c.label;
    const bool per_rank = processes.size() > 1;
    uint64_t left_out = 0;
    w.begin_object();
    w.key("traceEvents");
    w.begin_array();
    for (size_t k = 0; k < processes.size(); ++k) {
        const report_input& r = *processes[k];
        if (r.size() == 0) continue;
        const layout lay = lay_out(r, comp, timeline, per_rank ? 0 : run_ns);
        // One process per graph: an MPI rank's is its rank (pids of ranks on several
        // hosts may be equal), one process's its pid.
        const node_view first = r.node(0);
        const int64_t pid = per_rank ? int64_t(k) : first.pid;
        const bool combined = first.rank < 0;
        std::string name = program_invocation_short_name;
        if (per_rank)
            name += " (rank " + std::to_string(k) + ", pid " + std::to_string(first.pid) + ")";
        else if (combined)
            name += " (ranks combined)";
        metadata_event(w, "process_name", pid, 0, name);
        for (const auto& [tid, merged] : lay.merged)
            metadata_event(w, "thread_name", pid, tid, track_name(tid, merged, combined));
        // Frames carry no args: viewers that fold args into the frame's name (speedscope)
        // would never merge two calls of one function; counts, files and values are in
        // <label>.json.
        for (size_t i = 0; i < r.size(); ++i) {
            const int64_t q0 = lay.start[i] / quantum_ns, q1 = lay.end[i] / quantum_ns;
            if (q1 <= q0) {
                ++left_out;
                continue;
            }
            const node_view nd = r.node(i);
            w.begin_object();
            w.member("name", nd.name);
            w.member("cat", cat);
            w.member("ph", "X");
            w.member("ts", micros(q0));
            w.member("dur", micros(q1 - q0));
            w.member("pid", pid);
            w.member("tid", nd.tid);
            w.end_object();
        }
    }
    w.end_array();
    w.member("displayTimeUnit", "ms");
    w.key("otherData");
    w.begin_object();
    w.member("time_quantum_ns", quantum_ns);
    w.member("nodes_shorter_than_quantum_left_out", left_out);
    if (run_ns > 0) w.member("run_us", micros((run_ns + quantum_ns - 1) / quantum_ns));
    w.end_object();
    w.end_object();
}

void write_flamegraph_json(json_writer& w, const report_input& r, const report_unit& u,
                           bool timeline, int64_t run_ns) {
    const report_input* one[] = {&r};
    write_flamegraph_json(w, one, u, timeline, run_ns);
}

} // namespace timemory::rt
