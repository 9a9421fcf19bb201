// Writes every enabled report of every component into the output folder.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/runtime.hpp"
#include "cupti/cupti.hpp"
#include "graph/snapshot.hpp"
#include "output/file_io.hpp"
#include "output/formats.hpp"
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

std::string expand_path(std::string p) {
    auto replace = [&p](const std::string& key, const std::string& value) {
        for (size_t at = p.find(key); at != std::string::npos; at = p.find(key, at + value.size()))
            p.replace(at, key.size(), value);
    };
    replace("%pid", std::to_string(getpid())); // before %p, which it contains
    replace("%p", program_name());
    while (p.size() > 1 && p.back() == '/')
        p.pop_back();
    return p;
}

// The folder to write into: the configured one, else a fallback under $TMPDIR or /tmp.
std::string output_folder(const settings::values& v) {
    std::string dir = expand_path(v.output_path.empty() ? "timemory-%p-output" : v.output_path);
    if (v.time_output) {
        time_t t = time(nullptr);
        tm parts;
        localtime_r(&t, &parts);
        char buf[32];
        strftime(buf, sizeof(buf), "%Y-%m-%d_%H.%M.%S", &parts);
        dir += std::string("/") + buf;
    }
    std::string err;
    if (make_dirs(dir, &err)) return dir;
    const char* tmp = std::getenv("TMPDIR");
    std::string fallback = std::string(tmp && *tmp ? tmp : "/tmp") + "/timemory-" + program_name() +
                           "-" + std::to_string(getpid()) + "-output";
    std::string err2;
    if (make_dirs(fallback, &err2)) {
        warn("output folder unusable (" + err + "); writing the reports to '" + fallback + "'");
        return fallback;
    }
    warn("output folder unusable (" + err + ") and fallback unusable (" + err2 +
         "); reports not written");
    return "";
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
    return {{"timemory",
             {{"version", TIMEMORY_VERSION_STRING},
              {"settings", s},
              {"command_line", r.argv},
              {"hostname", host},
              {"pid", getpid()},
              {"parent_pid", r.root_pid == getpid() ? getppid() : r.root_pid},
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
                {"refused_sites", r.bad_abi_sites}}}}}};
}

} // namespace

namespace {

// Writes one component's files for one set of results: a single process (`ranks` of one),
// or several MPI ranks. `stem` is the file name without extension.
void write_component(const std::string& dir, const std::string& stem, const report_unit& c,
                     const std::vector<result>& ranks, const result* combined,
                     const settings::values& v, bool timeline, bool& all_ok) {
    // One process reports as rank 0; a graph combined over ranks as "all" (-1).
    const int main_rank = ranks.size() > 1 ? -1 : 0;
    auto emit = [&](const std::string& file, const std::string& text) {
        std::string path = dir + "/" + file;
        std::string err;
        if (!write_atomic(path, text, &err)) {
            warn(err);
            all_ok = false;
            return;
        }
        info(0, "[" + c.stem(ranks[0]) + "]|0> Outputting '" + path + "'...");
    };
    if (combined) {
        if (v.flamegraph_output)
            emit(stem + ".flamegraph.json", flamegraph_json(*combined, c, timeline).dump());
        if (v.tree_output) emit(stem + ".tree.json", tree_json(*combined, c, main_rank).dump(1));
        if (v.json_output) emit(stem + ".json", flat_json(*combined, c, main_rank).dump(1));
        if (v.text_output) emit(stem + ".txt", text_table(*combined, c, v, main_rank));
    }
    // Per rank: the main files when there is no combined graph, else "<stem>.ranks.*".
    if (ranks.size() > 1 || !combined) {
        const std::string s = combined ? stem + ".ranks" : stem;
        if (ranks.size() == 1) {
            if (v.flamegraph_output)
                emit(s + ".flamegraph.json", flamegraph_json(ranks[0], c, timeline).dump());
            if (v.tree_output) emit(s + ".tree.json", tree_json(ranks[0], c).dump(1));
            if (v.json_output) emit(s + ".json", flat_json(ranks[0], c).dump(1));
        } else {
            if (v.tree_output) emit(s + ".tree.json", tree_json_ranks(ranks, c).dump(1));
            if (v.json_output) emit(s + ".json", flat_json_ranks(ranks, c).dump(1));
        }
        if (v.text_output) {
            std::string text;
            for (size_t r = 0; r < ranks.size(); ++r)
                text += text_table(ranks[r], c, v, int(r));
            emit(s + ".txt", text);
        }
    }
}

// Prints the tables (TIMEMORY_COUT_OUTPUT) and writes every unit's files of one set of
// results; `main` is the graph reported as a whole (one process, or ranks combined), null
// when only per-rank reports are written. Returns the folder, "" when nothing was written.
std::string write_unit_files(const std::vector<result>& ranks, const result* main,
                             const std::string& suffix, bool timeline, const settings::values& v,
                             bool& all_ok) {
    const bool mpi = ranks.size() > 1;
    const std::vector<report_unit> units = report_units(ranks[0]);
    if (v.cout_output) {
        for (const report_unit& c : units) {
            if (main)
                std::fputs(text_table(*main, c, v, mpi ? -1 : 0).c_str(), stdout);
            else
                for (size_t k = 0; k < ranks.size(); ++k)
                    std::fputs(text_table(ranks[k], c, v, int(k)).c_str(), stdout);
        }
        std::fflush(stdout);
    }
    if (!v.file_output) return "";
    std::string dir = output_folder(v);
    if (dir.empty()) return "";
    for (const report_unit& c : units)
        write_component(dir, v.output_prefix + c.stem(ranks[0]) + suffix, c, ranks, main, v,
                        timeline, all_ok);
    return dir;
}

std::string write_results(const std::vector<result>& ranks) {
    const settings::values v = settings::current();
    runtime& r = rt_state();
    bool any = false;
    for (const auto& res : ranks)
        any = any || !res.nodes.empty();
    if (!any) {
        info(1, "nothing was recorded; no reports written");
        return "";
    }
    const bool mpi = ranks.size() > 1;
    result combined;
    if (mpi && v.collapse_processes) combined = combine_ranks(ranks);
    const result* main = mpi ? (v.collapse_processes ? &combined : nullptr) : &ranks[0];
    // A fork child, or a process writing alone on a fatal signal while it belongs to a
    // larger job, keeps the folder but puts its pid in every file name.
    const bool own_name =
        getpid() != r.root_pid || (g_finalizing_on_signal.load() && g_finalize_handler.load());
    const std::string suffix = own_name ? "-" + std::to_string(getpid()) : "";
    bool all_ok = true;
    std::string dir = write_unit_files(ranks, main, suffix, r.options.timeline, v, all_ok);
    if (dir.empty()) return "";
    nlohmann::json meta = metadata(ranks[0], v);
    if (mpi) meta["timemory"]["mpi_size"] = ranks.size();
    std::string path = dir + "/" + v.output_prefix + "metadata" + suffix + ".json";
    std::string err;
    if (!write_atomic(path, meta.dump(2), &err)) {
        warn(err);
        all_ok = false;
    } else {
        info(0, "[metadata]|0> Outputting '" + path + "'...");
    }
    return all_ok ? dir : "";
}

} // namespace

std::string write_all_reports() {
    refine_wall_clock();
    std::string dir = write_results({build_result()});
    write_gpu_reports();
    return dir;
}

std::string write_gpu_reports() {
    if (!cupti::active()) return "";
    result gpu = cupti::collect();
    const settings::values v = settings::current();
    if (gpu.nodes.empty()) {
        info(1, "cupti_activity: no GPU activity was recorded");
        return "";
    }
    // Each process writes its own GPU graph; in an MPI job (a finalize handler is set) or
    // in a fork child, with its pid in the file names.
    const bool own_name = getpid() != rt_state().root_pid || g_finalize_handler.load();
    const std::string suffix = own_name ? "-" + std::to_string(getpid()) : "";
    bool all_ok = true;
    std::string dir = write_unit_files({gpu}, &gpu, suffix, false, v, all_ok);
    return all_ok ? dir : "";
}

std::string write_rank_reports(const std::vector<result>& ranks) {
    return write_results(ranks);
}

} // namespace timemory::rt
