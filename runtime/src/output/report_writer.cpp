// Writes every enabled report of every component into the output folder.
#include "output/report_writer.hpp"

#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <type_traits>

#include "base/clock.hpp"
#include "base/host_state.hpp"
#include "base/log.hpp"
#include "graph/grouped_input.hpp"
#include "graph/snapshot.hpp"
#include "output/file_io.hpp"
#include "output/formats.hpp"
#include "output/run_folder.hpp"
#include "timemory/version.h"

namespace timemory::rt {

namespace {

std::string iso_time(int64_t ns) {
    time_t t = time_t(ns / 1000000000);
    tm parts;
    localtime_r(&t, &parts);
    char buf[64];
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &parts);
    return buf;
}

nlohmann::json metadata(const report_input& res, const report_context& ctx,
                        const settings::values& v) {
    nlohmann::json s = nlohmann::json::object();
    const auto& d = settings::descriptors();
    for (size_t i = 0; i < d.size(); ++i)
        s[d[i].env_name()] = settings::format(v, int(i));
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    nlohmann::json comps = nlohmann::json::array();
    for (const auto& c : res.components())
        comps.push_back({{"id", c.id}, {"label", c.label}, {"units", c.units}});
    // The hooks' own cost, per component, in the display units of the reports.
    nlohmann::json overhead = nlohmann::json::object();
    for (size_t c = 0; c < res.components().size() && c < ctx.overhead.size(); ++c) {
        const auto& ci = res.components()[c];
        overhead[ci.id] = {{"inside_timed_call", ctx.overhead[c].inside},
                           {"timed_call", ctx.overhead[c].timed},
                           {"untimed_call", ctx.overhead[c].untimed},
                           {"units", ci.units},
                           {"compensated", ctx.compensated}};
    }
    const failure_counts& f = ctx.failures;
    return {{"timemory",
             {{"version", TIMEMORY_VERSION_STRING},
              {"overhead", overhead},
              {"settings", s},
              {"command_line", ctx.argv},
              {"hostname", host},
              {"pid", ctx.pid},
              {"parent_pid", ctx.parent_pid},
              {"start_time", iso_time(ctx.start_time_ns)},
              {"end_time", iso_time(clock_ns(CLOCK_REALTIME))},
              {"wall_clock_source", g_wall.use_tsc ? "tsc" : "clock_monotonic"},
              {"ns_per_tick", g_wall.ns_per_tick},
              {"components", comps},
              {"thread_count", ctx.thread_count},
              {"node_count", res.size()},
              {"failures",
               {{"reconciled_frames", f.reconciled},
                {"unmatched_exits", f.unmatched},
                {"closed_at_end", f.closed_at_end},
                {"not_recorded_no_memory", f.no_memory},
                {"not_recorded_past_max_depth", f.past_max_depth},
                {"not_recorded_inside_runtime", f.inside_runtime},
                {"unnamed_no_memory", f.unnamed_no_memory},
                {"refused_sites", ctx.refused_sites}}}}}};
}

} // namespace

namespace {

// How writing a set went: files not written (their messages, said at the end unless the
// whole set is written again elsewhere), whether a disk was full, and the files written.
struct write_status {
    bool all_ok = true;
    bool disk_full = false;           ///< a file failed for lack of space (ENOSPC, EDQUOT)
    std::vector<std::string> errors;  ///< one message per file not written
    std::vector<std::string> missing; ///< the names of the files not written
    std::vector<std::string> written;

    void failed(const std::string& file, std::string message, int err) {
        all_ok = false;
        disk_full = disk_full || err == ENOSPC || err == EDQUOT;
        errors.push_back(std::move(message));
        missing.push_back(file);
    }
};

// Streams one file of the set into `dir` through a staged_file (`write` gets the FILE*,
// and may return a message saying the file is incomplete), recording it in `status`:
// written, or failed with a message that names the file where the set will be once
// published (`shown_dir`), not by its staging folder.
template <typename Write>
void write_report_file(const std::string& dir, const std::string& shown_dir,
                       const std::string& file, const std::string& label, Write&& write,
                       write_status& status) {
    const std::string path = dir + "/" + file;
    std::string err;
    staged_file out(path);
    if constexpr (std::is_same_v<decltype(write(out.get())), std::string>) {
        if (out.get()) err = write(out.get());
        if (!err.empty()) { // not committed: the staged file is removed
            status.failed(file, shown_dir + "/" + file + " not written: " + err, EIO);
            return;
        }
    } else if (out.get()) {
        write(out.get());
    }
    if (!out.commit(&err)) {
        for (size_t at = err.find(dir); at != std::string::npos; at = err.find(dir, at + 1))
            err.replace(at, dir.size(), shown_dir);
        status.failed(file, err, out.error());
        return;
    }
    status.written.push_back(path);
    info(1, "[" + label + "]|0> Outputting '" + path + "'...");
}

// The graphs of one set: a single process (one), or several MPI ranks (index = rank).
using graph_list = std::span<const report_input* const>;

// How the flame graphs of a set are laid out.
struct trace_options {
    bool timeline = false; ///< at the nodes' real start times
    int64_t run_ns = 0;    ///< the run's length so far (0: unknown, not said in the file)
};

// The sub-folder of a run folder holding each rank's files when the main files are the
// ranks combined.
constexpr const char* rank_folder = "ranks";

// Writes one component's files for one set of graphs: a single process (`ranks` of one),
// or several MPI ranks. `stem` is the file name without extension.
void write_component(const std::string& dir, const std::string& shown_dir, const std::string& stem,
                     const report_unit& c, graph_list ranks, const report_input* combined,
                     const rank_slices* slices, const settings::values& v, const trace_options& t,
                     write_status& status) {
    // One process reports as rank 0; a graph combined over ranks as "all" (-1).
    const int main_rank = ranks.size() > 1 ? -1 : 0;
    // Every file is streamed into place (staged_file): no report is held in memory whole.
    auto emit_with = [&](const std::string& file, auto&& write) {
        write_report_file(dir, shown_dir, file, c.stem(ranks[0]->components()), write, status);
    };
    const int indent = v.json_indent > 0 ? int(v.json_indent) : 0;
    // tree.json is always compact: it nests as deep as the call graph, and indentation
    // would make its size grow with the square of the depth.
    auto emit_json = [&](const std::string& file, auto&& write, bool may_indent = true) {
        emit_with(file, [&](std::FILE* f) {
            json_writer w(f, may_indent ? indent : 0);
            return write(w);
        });
    };
    const bool time = has_flamegraph(ranks[0]->components(), c);
    if (!time && (v.flamegraph_output || v.folded_output))
        info(1, "[" + c.stem(ranks[0]->components()) +
                    "] no flame graph or folded stacks: their widths are times, and this "
                    "component is not one (its values are in the other files)");
    if (combined) {
        const graph_list one(&combined, 1);
        if (v.flamegraph_output && time)
            emit_json(stem + ".flamegraph.json", [&](json_writer& w) {
                write_flamegraph_json(w, *combined, c, t.timeline, t.run_ns);
            });
        if (v.folded_output && time)
            emit_with(stem + ".folded", [&](std::FILE* f) { write_folded(f, *combined, c); });
        if (v.tree_output)
            emit_json(
                stem + ".tree.json", [&](json_writer& w) { write_tree_json(w, one, c, main_rank); },
                false);
        if (v.json_output)
            emit_json(stem + ".json",
                      [&](json_writer& w) { write_flat_json(w, one, c, main_rank); });
        if (v.text_output)
            emit_with(stem + ".txt",
                      [&](std::FILE* f) { write_text_table(f, *combined, c, v, main_rank); });
    }
    // Per rank: the main files when there is no combined graph, else the same names in the
    // "ranks" sub-folder (unless TIMEMORY_RANK_REPORTS=OFF): Hatchet's folder reader merges
    // every *.tree.json of a folder into one graph, so the combined and the per-rank trees
    // must not sit side by side.
    if (!combined || (ranks.size() > 1 && v.rank_reports)) {
        const std::string s = combined ? std::string(rank_folder) + "/" + stem : stem;
        if (v.flamegraph_output && time)
            emit_json(s + ".flamegraph.json", [&](json_writer& w) {
                // The run's length is known for this process's own graph alone.
                write_flamegraph_json(w, ranks, c, t.timeline, ranks.size() == 1 ? t.run_ns : 0);
            });
        if (v.folded_output && time)
            emit_with(s + ".folded", [&](std::FILE* f) { write_folded(f, ranks, c); });
        // Several ranks: each rank's entry as the rank wrote it, where it did.
        const rank_slices* from = ranks.size() > 1 ? slices : nullptr;
        const std::string unit = c.stem(ranks[0]->components());
        auto entry = [&](bool tree) -> rank_entry_source {
            if (!from) return {};
            return
                [=, &unit](json_writer& w, size_t k) { return from->copy_json(w, unit, tree, k); };
        };
        auto slice_error = [&] { return from ? from->take_error() : std::string(); };
        if (v.tree_output)
            emit_json(
                s + ".tree.json",
                [&](json_writer& w) {
                    write_tree_json(w, ranks, c, 0, entry(true));
                    return slice_error();
                },
                false);
        if (v.json_output)
            emit_json(s + ".json", [&](json_writer& w) {
                write_flat_json(w, ranks, c, 0, entry(false));
                return slice_error();
            });
        if (v.text_output) {
            emit_with(s + ".txt", [&](std::FILE* f) {
                for (size_t r = 0; r < ranks.size(); ++r)
                    if (!from || !from->copy_text(f, unit, r))
                        write_text_table(f, *ranks[r], c, v, int(r));
                return slice_error();
            });
        }
    }
}

// Prints the tables (TIMEMORY_COUT_OUTPUT, off by default: the program's stdout is its
// own) of one set of graphs; `main` as in write_unit_files.
void print_tables(graph_list ranks, const report_input* main, const settings::values& v) {
    if (!v.cout_output) return;
    const bool mpi = ranks.size() > 1;
    for (const report_unit& c : report_units(ranks[0]->components())) {
        if (main)
            write_text_table(stdout, *main, c, v, mpi ? -1 : 0);
        else
            for (size_t k = 0; k < ranks.size(); ++k)
                write_text_table(stdout, *ranks[k], c, v, int(k));
    }
    std::fflush(stdout);
}

// Writes every unit's files of one set of graphs into `dir`; `main` is the graph reported
// as a whole (one process, or ranks combined), null when only per-rank reports are written.
void write_unit_files(const std::string& dir, const std::string& shown_dir, graph_list ranks,
                      const report_input* main, const rank_slices* slices,
                      const std::string& suffix, const trace_options& t, const settings::values& v,
                      write_status& status) {
    const std::vector<component_info>& comps = ranks[0]->components();
    for (const report_unit& c : report_units(comps))
        write_component(dir, shown_dir, v.output_prefix + c.stem(comps) + suffix, c, ranks, main,
                        slices, v, t, status);
}

// One line on throttled functions, for the message at exit: how many, how many calls
// were not timed and how much time their estimate covers. "" when none was throttled.
std::string throttle_note(const report_input& res) {
    const std::vector<component_info>& comps = res.components();
    size_t tc = comps.size();
    for (size_t c = 0; c < comps.size() && tc == comps.size(); ++c)
        if (comps[c].kind == "time") tc = c;
    std::vector<uint64_t> fns;
    uint64_t calls = 0;
    double estimated = 0, total = 0;
    for (size_t i = 0; i < res.size(); ++i) {
        const node_view n = res.node(i);
        if (n.throttled) fns.push_back(n.hash);
        calls += n.untimed;
        if (tc < comps.size()) {
            if (!n.estimated.empty()) estimated += n.estimated[tc];
            if (n.parent < 0) total += n.inclusive[tc].sum;
        }
    }
    std::sort(fns.begin(), fns.end());
    fns.erase(std::unique(fns.begin(), fns.end()), fns.end());
    if (fns.empty()) return "";
    std::string note = fmt::format("{} function{} throttled ({} call{} not timed", fns.size(),
                                   fns.size() == 1 ? "" : "s", calls, calls == 1 ? "" : "s");
    if (tc < comps.size() && calls > 0)
        note +=
            fmt::format(", {:.3g} {} estimated from the timed calls, {:.1f}% of the total",
                        estimated, comps[tc].units, total > 0 ? 100.0 * estimated / total : 0.0);
    return note + "; TIMEMORY_THROTTLE_COUNT=0 times every call)";
}

// The node budget (TIMEMORY_MAX_REPORT_NODES) applied to the graphs of one set: each graph
// over it is reported through a grouped_input, which this keeps alive.
class node_budget {
public:
    explicit node_budget(long limit) : limit_(limit) {}
    const report_input* apply(const report_input* in) {
        if (!over_node_budget(*in, limit_)) return in;
        grouped_input& g = kept_.emplace_back(*in, size_t(limit_));
        left_out_ += g.left_out();
        groups_ += g.groups();
        if (kept_.size() == 1) {
            threshold_ = g.threshold();
            units_ = in->components()[g.ranking()].units;
        }
        return &g;
    }
    std::vector<const report_input*> apply(std::span<const report_input* const> in) {
        std::vector<const report_input*> out;
        for (const report_input* r : in)
            out.push_back(apply(r));
        return out;
    }
    bool grouped() const { return !kept_.empty(); }
    nlohmann::json summary() const {
        return {{"max_report_nodes", limit_},
                {"nodes_left_out", left_out_},
                {"other_nodes", groups_},
                {"threshold", threshold_},
                {"threshold_units", units_}};
    }
    std::string note() const {
        return fmt::format("{} call paths below {:.3g} {} grouped into {} '{}' nodes "
                           "(TIMEMORY_MAX_REPORT_NODES={}; 0 reports every node)",
                           left_out_, threshold_, units_, groups_, grouped_node_name, limit_);
    }

private:
    long limit_;
    std::deque<grouped_input> kept_; // (a deque: the pointers handed out stay valid)
    size_t left_out_ = 0, groups_ = 0;
    double threshold_ = 0;
    std::string units_;
};

// Writes the files of one set of graphs (one process, or several MPI ranks and perhaps
// their combination) into `folder`. False when nothing was written (nothing recorded, or
// no folder).
bool write_results(run_folder& folder, const report_context& ctx, const report_graphs& set,
                   const settings::values& v, write_status& status, std::string* note) {
    const graph_list ranks = set.ranks;
    bool any = false;
    for (const report_input* res : ranks)
        any = any || res->size() > 0;
    if (!any) {
        info(1, "nothing was recorded; no reports written");
        return false;
    }
    const bool mpi = ranks.size() > 1;
    const report_input* whole_main = mpi ? set.combined : ranks[0];
    if (note && whole_main) *note = throttle_note(*whole_main);
    // Over the node budget: each graph reported with its smallest call paths grouped.
    node_budget budget(v.max_report_nodes);
    const std::vector<const report_input*> shown = budget.apply(ranks);
    const graph_list shown_ranks(shown);
    const report_input* main = mpi ? (whole_main ? budget.apply(whole_main) : nullptr) : shown[0];
    if (note && budget.grouped()) *note += (note->empty() ? "" : "; ") + budget.note();
    print_tables(shown_ranks, main, v);
    if (!v.file_output) return false;
    const std::string& dir = folder.path();
    if (dir.empty()) {
        status.all_ok = false;
        return false;
    }
    // Without run folders, a fork child, or a process writing alone on a fatal signal
    // while it belongs to a larger job, shares the folder: its pid goes in every file name.
    const bool own_name = !v.run_folders && (ctx.fork_child || (ctx.on_signal && ctx.in_mpi_job));
    const std::string suffix = own_name ? "-" + std::to_string(ctx.pid) : "";
    if (mpi && main && v.rank_reports) {
        std::string err;
        if (!make_own_subfolder(dir + "/" + rank_folder, &err))
            warn(err + ": the per-rank reports cannot be written");
    }
    write_unit_files(dir, folder.final_path(), shown_ranks, main, set.slices, suffix,
                     {ctx.timeline, mpi ? 0 : ctx.run_ns}, v, status);
    nlohmann::json meta = metadata(*ranks[0], ctx, v);
    if (mpi) meta["timemory"]["mpi_size"] = ranks.size();
    if (budget.grouped()) meta["timemory"]["grouped"] = budget.summary();
    // A reader of an incomplete set learns which files are missing (the folder's name says
    // it is incomplete too: run_folder::publish).
    if (!status.missing.empty()) meta["timemory"]["missing_files"] = status.missing;
    const std::string text = json_text(meta, v);
    write_report_file(
        dir, folder.final_path(), v.output_prefix + "metadata" + suffix + ".json", "metadata",
        [&](std::FILE* f) { std::fwrite(text.data(), 1, text.size(), f); }, status);
    return true;
}

// One backend's report (a graph of its own) into `folder`.
bool write_own_report(run_folder& folder, const report_context& ctx, const report_input& own,
                      const settings::values& v, write_status& status) {
    const report_input* const own_ptr = &own;
    const graph_list one(&own_ptr, 1);
    print_tables(one, &own, v);
    if (!v.file_output) return false;
    const std::string& dir = folder.path();
    if (dir.empty()) {
        status.all_ok = false;
        return false;
    }
    // Without run folders, each process of an MPI job or a fork child names its own files.
    const bool own_name = !v.run_folders && (ctx.fork_child || ctx.in_mpi_job);
    const std::string suffix = own_name ? "-" + std::to_string(ctx.pid) : "";
    write_unit_files(dir, folder.final_path(), one, &own, nullptr, suffix, {}, v, status);
    return true;
}

// Makes a written set visible and says where it is, in one line (plus the throttling
// note). Returns the folder, or "" when a file is missing (each one is named).
std::string finish(run_folder& folder, bool wrote, const write_status& status,
                   const std::string& note) {
    const std::string shown = folder.final_path(); // what the messages name
    std::string where = wrote ? folder.publish(status.missing) : "";
    for (std::string e : status.errors) {
        // An incomplete set is published under another name: the messages name that.
        if (!where.empty() && where != shown)
            for (size_t at = e.find(shown); at != std::string::npos;
                 at = e.find(shown, at + where.size()))
                e.replace(at, shown.size(), where);
        warn(e);
    }
    if (!where.empty())
        notice("reports " + std::string(status.all_ok ? "in '" : "(incomplete: see above) in '") +
               where + "'" + (note.empty() ? "" : "; " + note));
    else if (!note.empty())
        notice(note);
    return status.all_ok ? where : "";
}

// Writes one set with `write` (false: nothing to write) and makes it visible. When the
// disk of the output folder fills up on the way, the partial set is removed and the whole
// set written again in the fallback folder ($TMPDIR or /tmp), with one line saying so;
// if that fails too, the set stays where it was first written, every missing file named.
template <typename Write>
std::string write_set(const report_context& ctx, const settings::values& v, const std::string& note,
                      Write&& write) {
    run_folder folder(v, ctx.program, ctx.start_time_ns, ctx.pid);
    write_status status;
    bool wrote = write(folder, status, v);
    if (wrote && status.disk_full && folder.can_fall_back()) {
        run_folder other(v, ctx.program, ctx.start_time_ns, ctx.pid, true);
        write_status again;
        settings::values quiet = v; // the tables were printed the first time
        quiet.cout_output = false;
        const bool rewrote = write(other, again, quiet);
        if (rewrote && again.all_ok) {
            const std::string full = folder.final_path();
            folder.discard(status.written);
            warn("no space left for the reports in '" + full + "'; written to '" +
                 other.final_path() + "' instead");
            return finish(other, rewrote, again, note);
        }
        other.discard(again.written);
    }
    return finish(folder, wrote, status, note);
}

// While reports are written, a file-size limit (`ulimit -f`) must fail the write, not
// kill the program with SIGXFSZ (its exit status would be the signal's): SIGXFSZ is
// ignored meanwhile when its action is the default one, and restored after.
class file_size_signal_ignored {
public:
    file_size_signal_ignored() noexcept {
        struct sigaction ign;
        std::memset(&ign, 0, sizeof(ign));
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        if (sigaction(SIGXFSZ, nullptr, &old_) == 0 && old_.sa_handler == SIG_DFL &&
            !(old_.sa_flags & SA_SIGINFO))
            changed_ = sigaction(SIGXFSZ, &ign, nullptr) == 0;
    }
    ~file_size_signal_ignored() {
        if (changed_) sigaction(SIGXFSZ, &old_, nullptr);
    }

private:
    struct sigaction old_ {};
    bool changed_ = false;
};

} // namespace

std::string write_report_set(const report_context& ctx, const settings::values& v,
                             const report_graphs& set) {
    // Never in a set-uid (set-gid, capability-raising) process: its working folder and
    // output paths are a less privileged user's to plant links in.
    if (secure_execution()) return "";
    file_size_signal_ignored keep_exit_status;
    std::string note;
    return write_set(
        ctx, v, note, [&](run_folder& f, write_status& status, const settings::values& s) {
            bool wrote = !set.ranks.empty() && write_results(f, ctx, set, s, status, &note);
            for (const report_input* r : set.own)
                wrote = write_own_report(f, ctx, *r, s, status) || wrote;
            return wrote;
        });
}

} // namespace timemory::rt
