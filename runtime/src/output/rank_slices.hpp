// The per-rank files of an MPI job (ranks/<stem>.json, .tree.json, .txt) hold
// every rank's whole graph: formatted by the one process that writes the set, they take as
// long as P graphs. Instead every rank formats its own entries of those files ("slices")
// at the same time as the others, into a folder the writing process made in the output
// folder; that process copies them into place and formats only the entries it does not
// find there (a rank that could not write them, an output folder that other nodes do not
// see). The files are the same either way, byte for byte.
#pragma once

#include <cstdio>
#include <functional>
#include <string>

#include "graph/report_input.hpp"
#include "output/json_writer.hpp"
#include "settings/settings.hpp"

namespace timemory::rt {

/// Creates a job's slice folder, `<output folder>/.tmp-slices-<pid>` (`pid`: the writing
/// process's). "" when reports are not written to files or the folder cannot be made (then
/// the writing process formats every entry itself, as without slices).
std::string make_slice_folder(const settings::values& v, const std::string& program, int pid);

/// Writes the entries of `graph` (rank `rank`) of the per-rank files into `dir`, each slice
/// whole or not at all. False when one could not be written (the writing process then
/// formats that entry itself).
bool write_rank_slices(const std::string& dir, const report_input& graph, int rank,
                       const settings::values& v);

/// A job's slices, as the process writing the set reads them.
class rank_slices {
public:
    /// `ready` runs once, before the first slice is looked for: it returns when every rank
    /// has written its slices (an MPI collective); ensure_ready() runs it if nothing did.
    rank_slices(std::string dir, std::function<void()> ready);
    ~rank_slices();
    rank_slices(const rank_slices&) = delete;
    rank_slices& operator=(const rank_slices&) = delete;

    /// Writes rank `k`'s flat-JSON (`tree`: tree-JSON) entry of unit `stem` into `w` as a
    /// value. False when there is no such slice: nothing was written.
    bool copy_json(json_writer& w, const std::string& stem, bool tree, size_t k) const;
    /// Writes rank `k`'s text table of unit `stem` into `out`; false when there is none.
    bool copy_text(std::FILE* out, const std::string& stem, size_t k) const;
    /// The message of the first slice that was found but could not be read to its end
    /// (the file it went into is incomplete), and forgets it; "" when none.
    std::string take_error() const;

    void ensure_ready() const;
    /// Removes the folder and the slices in it (after ensure_ready()).
    void remove() const;

private:
    std::FILE* open(const std::string& stem, const char* kind, size_t k) const;
    void read_failed(const std::string& stem, const char* kind, size_t k) const;
    std::string dir_;
    mutable std::function<void()> ready_;
    mutable std::string error_;
};

} // namespace timemory::rt
