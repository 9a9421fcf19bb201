#include "output/rank_slices.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "base/host_state.hpp"
#include "base/log.hpp"
#include "graph/grouped_input.hpp"
#include "output/file_io.hpp"
#include "output/formats.hpp"
#include "output/run_folder.hpp"

namespace timemory::rt {

namespace {

constexpr const char* kFlat = "flat";
constexpr const char* kTree = "tree";
constexpr const char* kText = "text";

// `<stem>.<kind>.<rank>`: one slice per unit, file kind and rank. The per-rank files'
// own names (prefix, the ranks/ folder) are the writing process's choice, not the ranks'.
std::string slice_name(const std::string& stem, const char* kind, size_t rank) {
    return stem + "." + kind + "." + std::to_string(rank);
}

} // namespace

std::string make_slice_folder(const settings::values& v, const std::string& program, int pid) {
    if (!v.file_output || !(v.json_output || v.tree_output || v.text_output)) return "";
    if (v.collapse_processes && !v.rank_reports) return ""; // no per-rank file is written
    if (secure_execution()) return "";                      // see write_report_set
    const std::string base = output_base(v, program, pid);
    std::string err;
    if (!make_dirs(base, &err)) return ""; // the set's own writing says why
    const std::string dir = base + "/.tmp-slices-" + std::to_string(pid);
    if (mkdir(dir.c_str(), 0755) != 0) {
        info(1, "cannot create '" + dir + "' (" + std::strerror(errno) +
                    "); every rank's reports are formatted by rank 0");
        return "";
    }
    return dir;
}

bool write_rank_slices(const std::string& dir, const report_input& whole, int rank,
                       const settings::values& v) {
    // Over the node budget, as the writing process reports it (output/report_writer.cpp).
    std::optional<grouped_input> grouped;
    if (over_node_budget(whole, v.max_report_nodes)) grouped.emplace(whole, v.max_report_nodes);
    const report_input& graph = grouped ? static_cast<const report_input&>(*grouped) : whole;
    bool all = true;
    auto slice = [&](const std::string& stem, const char* kind, auto&& write) {
        if (!all) return; // the rest is rank 0's too (often: no such folder on this node)
        staged_file out(dir + "/" + slice_name(stem, kind, size_t(rank)));
        if (out.get()) write(out.get());
        std::string err;
        if (!out.commit(&err)) {
            all = false;
            info(1, "rank " + std::to_string(rank) + "'s part of the reports not shared (" + err +
                        "); rank 0 formats it instead");
        }
    };
    const std::vector<component_info>& comps = graph.components();
    for (const report_unit& u : report_units(comps)) {
        const std::string stem = u.stem(comps);
        // An indented entry would be indented as a document of its own, not as a member of
        // the file it goes into: indented files are formatted whole by the writing process.
        if (v.json_output && v.json_indent <= 0)
            slice(stem, kFlat, [&](std::FILE* f) {
                json_writer w(f, 0);
                write_flat_json_entry(w, graph, u, rank);
            });
        if (v.tree_output)
            slice(stem, kTree, [&](std::FILE* f) {
                json_writer w(f, 0);
                write_tree_json_entry(w, graph, u, rank);
            });
        if (v.text_output)
            slice(stem, kText, [&](std::FILE* f) { write_text_table(f, graph, u, v, rank); });
    }
    return all;
}

rank_slices::rank_slices(std::string dir, std::function<void()> ready)
    : dir_(std::move(dir)), ready_(std::move(ready)) {}

rank_slices::~rank_slices() = default;

void rank_slices::ensure_ready() const {
    if (!ready_) return;
    auto ready = std::move(ready_);
    ready_ = nullptr;
    ready();
}

std::FILE* rank_slices::open(const std::string& stem, const char* kind, size_t k) const {
    ensure_ready();
    if (dir_.empty()) return nullptr;
    return std::fopen((dir_ + "/" + slice_name(stem, kind, k)).c_str(), "rbe");
}

void rank_slices::read_failed(const std::string& stem, const char* kind, size_t k) const {
    if (error_.empty())
        error_ = "cannot read rank " + std::to_string(k) + "'s part '" + dir_ + "/" +
                 slice_name(stem, kind, k) + "' (" + std::strerror(errno) + ")";
}

bool rank_slices::copy_json(json_writer& w, const std::string& stem, bool tree, size_t k) const {
    const char* kind = tree ? kTree : kFlat;
    std::FILE* in = open(stem, kind, k);
    if (!in) return false;
    if (!w.raw_copy(in)) read_failed(stem, kind, k);
    std::fclose(in);
    return true;
}

bool rank_slices::copy_text(std::FILE* out, const std::string& stem, size_t k) const {
    std::FILE* in = open(stem, kText, k);
    if (!in) return false;
    if (!copy_stream(in, out)) read_failed(stem, kText, k);
    std::fclose(in);
    return true;
}

std::string rank_slices::take_error() const {
    std::string e;
    e.swap(error_);
    return e;
}

void rank_slices::remove() const {
    ensure_ready();
    if (dir_.empty()) return;
    if (DIR* d = opendir(dir_.c_str())) {
        while (const dirent* e = readdir(d))
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
                unlink((dir_ + "/" + e->d_name).c_str());
        closedir(d);
    }
    rmdir(dir_.c_str());
}

} // namespace timemory::rt
