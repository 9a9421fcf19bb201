// Writes every enabled report of every component into the output folder.
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "backends/backend.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/runtime.hpp"
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

nlohmann::json metadata(const result& res, const settings::values& v) {
    runtime& r = rt_state();
    nlohmann::json s = nlohmann::json::object();
    const auto& d = settings::descriptors();
    for (size_t i = 0; i < d.size(); ++i)
        s[d[i].env_name()] = settings::format(v, int(i));
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    nlohmann::json comps = nlohmann::json::array();
    for (const auto& c : res.components)
        comps.push_back({{"id", c.id}, {"label", c.label}, {"units", c.units}});
    failure_counts f = total_failures();
    size_t nthreads;
    {
        std::lock_guard<std::mutex> lk(r.mutex);
        nthreads = r.threads.size();
    }
    // The hooks' own cost, per component, in the display units of the reports.
    nlohmann::json overhead = nlohmann::json::object();
    if (r.overhead.measured) {
        for (size_t c = 0; c < res.components.size() && c < r.overhead.inside.size(); ++c) {
            const auto& ci = res.components[c];
            const double scale =
                (r.comps.comps[c]->tsc_scaled ? g_wall.ns_per_tick : 1.0) / ci.unit_value;
            overhead[ci.id] = {{"inside_timed_call", r.overhead.inside[c] * scale},
                               {"timed_call", r.overhead.timed_pair[c] * scale},
                               {"untimed_call", r.overhead.untimed_pair[c] * scale},
                               {"units", ci.units},
                               {"compensated", v.compensate && r.comps.wall_only}};
        }
    }
    return {{"timemory",
             {{"version", TIMEMORY_VERSION_STRING},
              {"overhead", overhead},
              {"settings", s},
              {"command_line", r.argv},
              {"hostname", host},
              {"pid", report_pid()},
              {"parent_pid", r.root_pid == report_pid() ? r.root_ppid : r.root_pid},
              {"start_time", iso_time(r.start_time_ns)},
              {"end_time", iso_time(clock_ns(CLOCK_REALTIME))},
              {"wall_clock_source", g_wall.use_tsc ? "tsc" : "clock_monotonic"},
              {"ns_per_tick", g_wall.ns_per_tick},
              {"components", comps},
              {"thread_count", nthreads},
              {"node_count", res.nodes.size()},
              {"failures",
               {{"reconciled_frames", f.reconciled},
                {"unmatched_exits", f.unmatched},
                {"closed_at_end", f.closed_at_end},
                {"not_recorded_no_memory", f.no_memory},
                {"refused_sites", r.bad_abi_sites}}}}}};
}

} // namespace

namespace {

// How writing a set went: files not written (their messages, said at the end unless the
// whole set is written again elsewhere), whether a disk was full, and the files written.
struct write_status {
    bool all_ok = true;
    bool disk_full = false;          ///< a file failed for lack of space (ENOSPC, EDQUOT)
    std::vector<std::string> errors; ///< one message per file not written
    std::vector<std::string> written;

    void failed(std::string message, int err) {
        all_ok = false;
        disk_full = disk_full || err == ENOSPC || err == EDQUOT;
        errors.push_back(std::move(message));
    }
};

// Streams one file of the set into `dir` through a staged_file (`write` gets the FILE*),
// recording it in `status`: written, or failed with a message that names the file where
// the set will be once published (`shown_dir`), not by its staging folder.
template <typename Write>
void write_report_file(const std::string& dir, const std::string& shown_dir,
                       const std::string& file, const std::string& label, Write&& write,
                       write_status& status) {
    const std::string path = dir + "/" + file;
    std::string err;
    staged_file out(path);
    if (out.get()) write(out.get());
    if (!out.commit(&err)) {
        for (size_t at = err.find(dir); at != std::string::npos; at = err.find(dir, at + 1))
            err.replace(at, dir.size(), shown_dir);
        status.failed(err, out.error());
        return;
    }
    status.written.push_back(path);
    info(1, "[" + label + "]|0> Outputting '" + path + "'...");
}

// Writes one component's files for one set of results: a single process (`ranks` of one),
// or several MPI ranks. `stem` is the file name without extension.
void write_component(const std::string& dir, const std::string& shown_dir, const std::string& stem,
                     const report_unit& c, const std::vector<result>& ranks, const result* combined,
                     const settings::values& v, bool timeline, write_status& status) {
    // One process reports as rank 0; a graph combined over ranks as "all" (-1).
    const int main_rank = ranks.size() > 1 ? -1 : 0;
    // Every file is streamed into place (staged_file): no report is held in memory whole.
    auto emit_with = [&](const std::string& file, auto&& write) {
        write_report_file(dir, shown_dir, file, c.stem(ranks[0]), write, status);
    };
    const int indent = v.json_indent > 0 ? int(v.json_indent) : 0;
    // tree.json is always compact: it nests as deep as the call graph, and indentation
    // would make its size grow with the square of the depth.
    auto emit_json = [&](const std::string& file, auto&& write, bool may_indent = true) {
        emit_with(file, [&](std::FILE* f) {
            json_writer w(f, may_indent ? indent : 0);
            write(w);
        });
    };
    auto flamegraph = [&](const result& r) {
        return [&](json_writer& w) { write_flamegraph_json(w, r, c, timeline); };
    };
    const std::span<const result> all(ranks);
    if (combined) {
        const std::span<const result> one(combined, 1);
        if (v.flamegraph_output && has_flamegraph(*combined, c))
            emit_json(stem + ".flamegraph.json", flamegraph(*combined));
        if (v.folded_output && has_flamegraph(*combined, c))
            emit_with(stem + ".folded", [&](std::FILE* f) { write_folded(f, *combined, c); });
        if (v.tree_output)
            emit_json(stem + ".tree.json",
                      [&](json_writer& w) { write_tree_json(w, one, c, main_rank); }, false);
        if (v.json_output)
            emit_json(stem + ".json", [&](json_writer& w) { write_flat_json(w, one, c, main_rank); });
        if (v.text_output)
            emit_with(stem + ".txt",
                      [&](std::FILE* f) { write_text_table(f, *combined, c, v, main_rank); });
    }
    // Per rank: the main files when there is no combined graph, else "<stem>.ranks.*".
    if (ranks.size() > 1 || !combined) {
        const std::string s = combined ? stem + ".ranks" : stem;
        if (ranks.size() == 1) {
            if (v.flamegraph_output && has_flamegraph(ranks[0], c))
                emit_json(s + ".flamegraph.json", flamegraph(ranks[0]));
            if (v.folded_output && has_flamegraph(ranks[0], c))
                emit_with(s + ".folded", [&](std::FILE* f) { write_folded(f, ranks[0], c); });
        }
        if (v.tree_output)
            emit_json(s + ".tree.json", [&](json_writer& w) { write_tree_json(w, all, c); }, false);
        if (v.json_output)
            emit_json(s + ".json", [&](json_writer& w) { write_flat_json(w, all, c); });
        if (v.text_output) {
            emit_with(s + ".txt", [&](std::FILE* f) {
                for (size_t r = 0; r < ranks.size(); ++r)
                    write_text_table(f, ranks[r], c, v, int(r));
            });
        }
    }
}

// Prints the tables (TIMEMORY_COUT_OUTPUT, off by default: the program's stdout is its
// own) of one set of results; `main` as in write_unit_files.
void print_tables(const std::vector<result>& ranks, const result* main, const settings::values& v) {
    if (!v.cout_output) return;
    const bool mpi = ranks.size() > 1;
    for (const report_unit& c : report_units(ranks[0])) {
        if (main)
            std::fputs(text_table(*main, c, v, mpi ? -1 : 0).c_str(), stdout);
        else
            for (size_t k = 0; k < ranks.size(); ++k)
                std::fputs(text_table(ranks[k], c, v, int(k)).c_str(), stdout);
    }
    std::fflush(stdout);
}

// Writes every unit's files of one set of results into `dir`; `main` is the graph reported
// as a whole (one process, or ranks combined), null when only per-rank reports are written.
void write_unit_files(const std::string& dir, const std::string& shown_dir,
                      const std::vector<result>& ranks, const result* main,
                      const std::string& suffix, bool timeline, const settings::values& v,
                      write_status& status) {
    for (const report_unit& c : report_units(ranks[0]))
        write_component(dir, shown_dir, v.output_prefix + c.stem(ranks[0]) + suffix, c, ranks, main,
                        v, timeline, status);
}

// One line on throttled functions, for the message at exit: how many, how many calls
// were not timed and how much time their estimate covers. "" when none was throttled.
std::string throttle_note(const result& res) {
    size_t tc = res.components.size();
    for (size_t c = 0; c < res.components.size() && tc == res.components.size(); ++c)
        if (res.components[c].kind == "time") tc = c;
    std::vector<uint64_t> fns;
    uint64_t calls = 0;
    double estimated = 0, total = 0;
    for (const auto& n : res.nodes) {
        if (n.throttled) fns.push_back(n.hash);
        calls += n.untimed;
        if (tc < res.components.size()) {
            if (!n.estimated.empty()) estimated += n.estimated[tc];
            if (n.parent < 0) total += n.inclusive[tc].sum;
        }
    }
    std::sort(fns.begin(), fns.end());
    fns.erase(std::unique(fns.begin(), fns.end()), fns.end());
    if (fns.empty()) return "";
    std::string note = fmt::format("{} function{} throttled ({} call{} not timed", fns.size(),
                                   fns.size() == 1 ? "" : "s", calls, calls == 1 ? "" : "s");
    if (tc < res.components.size() && calls > 0)
        note += fmt::format(", {:.3g} {} estimated from the timed calls, {:.1f}% of the total",
                            estimated, res.components[tc].units,
                            total > 0 ? 100.0 * estimated / total : 0.0);
    return note + "; TIMEMORY_THROTTLE_COUNT=0 times every call)";
}

// Writes the files of one set of results (one process, or several MPI ranks) into
// `folder`. False when nothing was written (nothing recorded, or no folder).
bool write_results(run_folder& folder, const std::vector<result>& ranks, const settings::values& v,
                   write_status& status, std::string* note) {
    runtime& r = rt_state();
    bool any = false;
    for (const auto& res : ranks)
        any = any || !res.nodes.empty();
    if (!any) {
        info(1, "nothing was recorded; no reports written");
        return false;
    }
    const bool mpi = ranks.size() > 1;
    result combined;
    if (mpi && v.collapse_processes) combined = combine_ranks(ranks);
    const result* main = mpi ? (v.collapse_processes ? &combined : nullptr) : &ranks[0];
    print_tables(ranks, main, v);
    if (note && main) *note = throttle_note(*main);
    if (!v.file_output) return false;
    const std::string& dir = folder.path();
    if (dir.empty()) {
        status.all_ok = false;
        return false;
    }
    // Without run folders, a fork child, or a process writing alone on a fatal signal
    // while it belongs to a larger job, shares the folder: its pid goes in every file name.
    const bool own_name =
        !v.run_folders && (report_pid() != r.root_pid ||
                           (g_finalizing_on_signal.load() && g_finalize_handler.load()));
    const std::string suffix = own_name ? "-" + std::to_string(report_pid()) : "";
    write_unit_files(dir, folder.final_path(), ranks, main, suffix, r.options.timeline, v, status);
    nlohmann::json meta = metadata(ranks[0], v);
    if (mpi) meta["timemory"]["mpi_size"] = ranks.size();
    const std::string text = json_text(meta, v);
    write_report_file(dir, folder.final_path(), v.output_prefix + "metadata" + suffix + ".json",
                      "metadata",
                      [&](std::FILE* f) { std::fwrite(text.data(), 1, text.size(), f); }, status);
    return true;
}

// One backend's report (a result of its own) into `folder`.
bool write_own_report(run_folder& folder, result& own, const settings::values& v,
                      write_status& status) {
    print_tables({own}, &own, v);
    if (!v.file_output) return false;
    const std::string& dir = folder.path();
    if (dir.empty()) {
        status.all_ok = false;
        return false;
    }
    // Without run folders, each process of an MPI job or a fork child names its own files.
    const bool own_name =
        !v.run_folders && (report_pid() != rt_state().root_pid || g_finalize_handler.load());
    const std::string suffix = own_name ? "-" + std::to_string(report_pid()) : "";
    write_unit_files(dir, folder.final_path(), {own}, &own, suffix, false, v, status);
    return true;
}

// The reports of the backends that have their own (a graph of GPU activity), into `folder`.
bool write_backend_results(run_folder& folder, const settings::values& v, write_status& status) {
    bool wrote = false;
    for (const backend* b : backends()) {
        result own;
        if (b->missing || !b->own_report || !b->own_report(own)) continue;
        wrote = write_own_report(folder, own, v, status) || wrote;
    }
    return wrote;
}

// Makes a written set visible and says where it is, in one line (plus the throttling
// note). Returns the folder, or "" when a file is missing (each one is named).
std::string finish(run_folder& folder, bool wrote, const write_status& status,
                   const std::string& note) {
    for (const std::string& e : status.errors)
        warn(e);
    std::string where = wrote ? folder.publish() : "";
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
std::string write_set(const settings::values& v, const std::string& note, Write&& write) {
    run_folder folder(v, rt_state().start_time_ns, report_pid());
    write_status status;
    bool wrote = write(folder, status, v);
    if (wrote && status.disk_full && folder.can_fall_back()) {
        run_folder other(v, rt_state().start_time_ns, report_pid(), true);
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

std::string write_all_reports() {
    file_size_signal_ignored keep_exit_status;
    refine_wall_clock();
    const settings::values v = settings::current();
    std::vector<result> one(1); // built in place: a copy would double the largest structure
    one[0] = build_result();
    std::string note;
    return write_set(v, note, [&](run_folder& f, write_status& status, const settings::values& s) {
        bool wrote = write_results(f, one, s, status, &note);
        return write_backend_results(f, s, status) || wrote;
    });
}

std::string write_backend_reports() {
    file_size_signal_ignored keep_exit_status;
    const settings::values v = settings::current();
    return write_set(v, "", [](run_folder& f, write_status& status, const settings::values& s) {
        return write_backend_results(f, s, status);
    });
}

std::string write_rank_reports(const std::vector<result>& ranks) {
    file_size_signal_ignored keep_exit_status;
    const settings::values v = settings::current();
    std::string note;
    return write_set(v, note, [&](run_folder& f, write_status& status, const settings::values& s) {
        return write_results(f, ranks, s, status, &note);
    });
}

} // namespace timemory::rt
