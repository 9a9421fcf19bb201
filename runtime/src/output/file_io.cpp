#include "output/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace timemory::rt {

bool make_dirs(const std::string& dir, std::string* error) {
    if (dir.empty()) return true;
    std::string partial;
    size_t pos = 0;
    while (pos != std::string::npos) {
        pos = dir.find('/', pos + 1);
        partial = dir.substr(0, pos);
        if (partial.empty()) continue;
        if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
            if (error) *error = "cannot create '" + partial + "': " + std::strerror(errno);
            return false;
        }
    }
    struct stat st;
    if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        if (error) *error = "'" + dir + "' is not a folder";
        return false;
    }
    if (access(dir.c_str(), W_OK) != 0) {
        if (error) *error = "cannot write in '" + dir + "': " + std::strerror(errno);
        return false;
    }
    return true;
}

bool write_atomic(const std::string& path, const std::string& content, std::string* error) {
    std::string tmp = path + ".tmp." + std::to_string(getpid());
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (error) *error = "cannot create '" + path + "': " + std::strerror(errno);
        return false;
    }
    size_t done = 0;
    while (done < content.size()) {
        ssize_t n = write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (error) *error = "cannot write '" + path + "': " + std::strerror(errno);
            close(fd);
            unlink(tmp.c_str());
            return false;
        }
        done += size_t(n);
    }
    if (close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
        if (error) *error = "cannot write '" + path + "': " + std::strerror(errno);
        unlink(tmp.c_str());
        return false;
    }
    return true;
}

} // namespace timemory::rt
