#include "output/run_folder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>

#include <nlohmann/json.hpp>

#include "base/log.hpp"
#include "output/file_io.hpp"
#include "output/report_writer.hpp"

namespace timemory::rt {

std::string expand_output_path(std::string p, const std::string& program, int pid) {
    auto replace = [&p](const std::string& key, const std::string& value) {
        for (size_t at = p.find(key); at != std::string::npos; at = p.find(key, at + value.size()))
            p.replace(at, key.size(), value);
    };
    replace("%pid", std::to_string(pid)); // before %p, which it contains
    replace("%p", program);
    while (p.size() > 1 && p.back() == '/')
        p.pop_back();
    return p;
}

std::string output_base(const settings::values& v, const std::string& program, int pid) {
    return expand_output_path(v.output_path.empty() ? "timemory-%p-output" : v.output_path, program,
                              pid);
}

namespace {

// "YYYYMMDD-HHMMSS.mmm-<pid>": local start time, so names sort in start order.
std::string run_name(int64_t start_ns, int pid) {
    time_t t = time_t(start_ns / 1000000000);
    tm parts;
    localtime_r(&t, &parts);
    char buf[64];
    size_t n = strftime(buf, sizeof(buf), "%Y%m%d-%H%M%S", &parts);
    std::snprintf(buf + n, sizeof(buf) - n, ".%03d-%d", int(start_ns / 1000000 % 1000), pid);
    return buf;
}

std::string time_subfolder() {
    time_t t = time(nullptr);
    tm parts;
    localtime_r(&t, &parts);
    char buf[32];
    strftime(buf, sizeof(buf), "%Y-%m-%d_%H.%M.%S", &parts);
    return buf;
}

// The pid recorded in a folder's metadata.json, or 0.
int metadata_pid(const std::string& dir) {
    std::ifstream in(dir + "/metadata.json");
    if (!in) return 0;
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.contains("timemory")) return 0;
    const auto& p = j["timemory"]["pid"];
    return p.is_number_integer() ? p.get<int>() : 0;
}

// Where reports go when the output folder cannot take them: a new folder in the temp
// directory ($TMPDIR or /tmp), made by mkdtemp: an unpredictable name, created here (never
// one that exists, which another user could have made or linked elsewhere), owned by this
// process's user and closed to others. "" with `error` set when none can be made.
std::string make_fallback_folder(const std::string& program, int pid, std::string* error) {
    const char* tmp = std::getenv("TMPDIR");
    const std::string in = tmp && *tmp ? tmp : "/tmp";
    std::string name = in + "/timemory-" + program + "-" + std::to_string(pid) + "-XXXXXX";
    if (!mkdtemp(name.data())) {
        // (mkdtemp has filled in a name by now that never existed: the folder is named.)
        if (error) *error = "cannot create a folder in '" + in + "': " + std::strerror(errno);
        return "";
    }
    return name;
}

// A folder that another user owns and anyone may write to, without the sticky bit (a
// planted folder, mode 777): whoever wrote it could replace or read what is put there.
bool planted_by_another_user(const std::string& dir, std::string* why) {
    struct stat st;
    if (stat(dir.c_str(), &st) != 0) return false;
    if (st.st_uid == geteuid() || st.st_uid == 0) return false;
    if (!(st.st_mode & S_IWOTH) || (st.st_mode & S_ISVTX)) return false;
    *why = "'" + dir + "' belongs to user " + std::to_string(st.st_uid) +
           " and anyone may write in it";
    return true;
}

} // namespace

run_folder::run_folder(const settings::values& v, const std::string& program, int64_t start_ns,
                       int pid, bool fallback)
    : v_(v), program_(program), start_ns_(start_ns), pid_(pid), fallback_(fallback) {}

run_folder::~run_folder() {
    if (lock_fd_ >= 0) close(lock_fd_);
}

const std::string& run_folder::path() {
    if (opened_) return path_;
    opened_ = true;
    std::string err;
    if (fallback_) {
        base_ = make_fallback_folder(program_, pid_, &err);
        if (base_.empty()) {
            warn("fallback folder unusable (" + err + "); reports not written there");
            return path_;
        }
    } else {
        base_ = output_base(v_, program_, pid_);
        if (!v_.run_folders && v_.time_output) base_ += "/" + time_subfolder();
        if (!make_dirs(base_, &err) || planted_by_another_user(base_, &err)) {
            std::string err2;
            std::string fallback = make_fallback_folder(program_, pid_, &err2);
            if (fallback.empty()) {
                warn("output folder unusable (" + err + ") and fallback unusable (" + err2 +
                     "); reports not written");
                return path_;
            }
            warn("output folder unusable (" + err + "); writing the reports to '" + fallback + "'");
            base_ = fallback;
            fallback_ = true;
        }
    }
    if (!v_.run_folders) {
        // One folder for every process: a lock keeps concurrent sets from interleaving.
        // Never through a link another user planted under the lock's name.
        lock_fd_ = open((base_ + "/.timemory.lock").c_str(),
                        O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (lock_fd_ >= 0) {
            while (flock(lock_fd_, LOCK_EX) != 0 && errno == EINTR) {
            }
        }
        int other = metadata_pid(base_);
        if (other != 0 && other != pid_)
            warn_once("overwrite:" + base_, "replacing the reports of process " +
                                                std::to_string(other) + " in '" + base_ +
                                                "' (TIMEMORY_RUN_FOLDERS=ON keeps every run)");
        path_ = base_;
        return path_;
    }
    // A second set from the same process (an explicit write before the one at exit) gets
    // its own folder too.
    const std::string stem = run_name(start_ns_, pid_);
    for (int k = 1; k < 1000; ++k) {
        name_ = k == 1 ? stem : stem + "-" + std::to_string(k);
        struct stat st;
        if (stat((base_ + "/" + name_).c_str(), &st) == 0) continue;
        std::string staging = base_ + "/.tmp-" + name_;
        if (mkdir(staging.c_str(), 0755) == 0) {
            path_ = staging;
            return path_;
        }
        if (errno != EEXIST) {
            warn("cannot create '" + staging + "': " + std::strerror(errno) +
                 "; reports not written");
            return path_;
        }
    }
    warn("no free run folder name under '" + base_ + "'; reports not written");
    return path_;
}

bool run_folder::can_fall_back() const {
    return opened_ && !fallback_ && !path_.empty();
}

void run_folder::discard(const std::vector<std::string>& written) {
    for (const std::string& f : written) {
        unlink(f.c_str());
        // A sub-folder of the set's (the ranks' files): removed once empty.
        const std::string parent = f.substr(0, f.rfind('/'));
        if (v_.run_folders && parent != path_) rmdir(parent.c_str());
    }
    if (v_.run_folders && !path_.empty()) rmdir(path_.c_str()); // the (now empty) staging folder
    if (fallback_ && !base_.empty()) rmdir(base_.c_str());      // the fallback folder made for it
    if (lock_fd_ >= 0) close(lock_fd_);
    lock_fd_ = -1;
    path_.clear();
}

std::string run_folder::publish(const std::vector<std::string>& missing) {
    if (path_.empty()) return "";
    if (!v_.run_folders) {
        // The folder holds this run's files only: not another run's under a name this one
        // could not write.
        for (const std::string& f : missing)
            unlink((path_ + "/" + f).c_str());
        if (lock_fd_ >= 0) close(lock_fd_);
        lock_fd_ = -1;
        return path_;
    }
    const std::string final_path = base_ + "/" + name_ + (missing.empty() ? "" : ".incomplete");
    if (rename(path_.c_str(), final_path.c_str()) != 0) {
        warn("cannot move the reports from '" + path_ + "' to '" + final_path +
             "': " + std::strerror(errno) + "; they stay in '" + path_ + "'");
        return path_;
    }
    if (!missing.empty()) {
        path_ = final_path;
        return path_;
    }
    // `latest`: a relative link replaced atomically (a new link renamed over the old).
    const std::string link_tmp = base_ + "/.latest-" + std::to_string(pid_);
    unlink(link_tmp.c_str());
    if (symlink(name_.c_str(), link_tmp.c_str()) != 0 ||
        rename(link_tmp.c_str(), (base_ + "/latest").c_str()) != 0) {
        info(1, "cannot update '" + base_ + "/latest': " + std::strerror(errno));
        unlink(link_tmp.c_str());
    }
    path_ = final_path;
    return path_;
}

} // namespace timemory::rt
