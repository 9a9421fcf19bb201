// Where one set of reports goes, and how it becomes visible.
#pragma once

#include <string>
#include <vector>

#include "settings/settings.hpp"

namespace timemory::rt {

/// The output folder (TIMEMORY_OUTPUT_PATH, %p and %pid expanded) that run folders go in.
std::string output_base(const settings::values& v, const std::string& program, int pid);

/// The folder of one process's report set.
///
/// With TIMEMORY_RUN_FOLDERS (the default) each set gets a folder of its own inside the
/// output folder, named after the process's start time and pid
/// (`20261129-063001.123-4567`: sorting the names sorts the runs), written under a hidden
/// name (`.tmp-<name>`) and renamed into place once complete, so no reader ever sees part
/// of a set and concurrent runs of one program never share a file; `latest` then links to
/// the newest. Without run folders the files go straight into the output folder, under a
/// lock so concurrent writers do not interleave their sets, with a warning when another
/// process's reports are overwritten.
///
/// `start_ns` (CLOCK_REALTIME) and `pid` name the folder, `program` the fallback folder (and
/// %p, `pid` %pid in the output path). Which files carry the pid in a shared output folder
/// is the report writer's choice (output/report_writer.cpp).
class run_folder {
public:
    /// `fallback`: in the fallback folder ($TMPDIR or /tmp, `timemory-<program>-<pid>-output`)
    /// from the start, for a set written again after the output folder's disk filled up.
    run_folder(const settings::values& v, const std::string& program, int64_t start_ns, int pid,
               bool fallback = false);
    ~run_folder();
    run_folder(const run_folder&) = delete;
    run_folder& operator=(const run_folder&) = delete;

    /// The folder to write into, created on first use; "" when no folder can be made (a
    /// warning said why).
    const std::string& path();
    /// Where the set will be once published (path() until then, when it is not staged).
    std::string final_path() const { return name_.empty() ? path_ : base_ + "/" + name_; }
    /// Makes the set visible and returns where it is ("" when nothing was opened or it
    /// could not be moved into place, with a warning naming the folder left behind).
    /// A set with `missing` files is never published as a complete one: its run folder is
    /// named `<name>.incomplete` and `latest` keeps pointing at the last complete set;
    /// without run folders, a missing file's older copy (another run's) is removed.
    std::string publish(const std::vector<std::string>& missing = {});
    /// Whether a set that failed here can be written again in the fallback folder (it is
    /// not the fallback folder already).
    bool can_fall_back() const;
    /// Removes a set that is being written again elsewhere: the files `written` here, and the
    /// staging folder when it is one (never anything else in a shared output folder).
    void discard(const std::vector<std::string>& written);

private:
    settings::values v_;
    std::string program_;
    int64_t start_ns_;
    int pid_;
    bool opened_ = false;
    bool fallback_ = false; ///< writing in the fallback folder
    std::string base_;      ///< the output folder
    std::string name_;      ///< the run folder's name (run folders only)
    std::string path_;      ///< where files are written now
    int lock_fd_ = -1;      ///< held while writing straight into the output folder
};

} // namespace timemory::rt
