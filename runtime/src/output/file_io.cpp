#include "output/file_io.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <ctime>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

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

bool make_own_subfolder(const std::string& dir, std::string* error) {
    if (mkdir(dir.c_str(), 0755) == 0) return true;
    const int err = errno;
    struct stat st;
    if (err == EEXIST && lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
        st.st_uid == geteuid())
        return true;
    if (error)
        *error = "cannot use '" + dir + "' as a folder: " +
                 (err == EEXIST ? std::string("something else (a link, a file or another "
                                              "user's folder) is there")
                                : std::string(std::strerror(err)));
    return false;
}

// The staged file's stream writes through this function (fopencookie), which keeps the
// first write error: the FILE* keeps only a flag, and errno is gone by the time commit()
// looks (a full disk reads "Input/output error" instead of "No space left on device").
ssize_t staged_file::write_out(void* cookie, const char* data, size_t size) {
    auto* self = static_cast<staged_file*>(cookie);
    size_t done = 0;
    while (done < size) {
        ssize_t n = ::write(self->fd_, data + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (!self->write_errno_) self->write_errno_ = n < 0 ? errno : ENOSPC;
            return done > 0 ? ssize_t(done) : -1;
        }
        done += size_t(n);
    }
    return ssize_t(done);
}

namespace {
// The staged files open on this thread, so that copy_stream can find the file descriptor
// behind a staged file's stream (a cookie stream has none of its own). A plain array:
// reports are also written from exit handlers, after a thread's C++ thread-local objects
// are destroyed. A file not listed (more than eight open) is copied through its stream.
constexpr size_t kListed = 8;
thread_local staged_file* t_staged[kListed];
} // namespace

staged_file* staged_file::of(std::FILE* f) {
    for (staged_file* s : t_staged)
        if (s && s->file_ == f) return s;
    return nullptr;
}

staged_file::append staged_file::append_from(int in) {
    if (std::fflush(file_) != 0 || write_errno_) return append::done; // the file's own error
    for (bool first = true;; first = false) {
        const ssize_t n = copy_file_range(in, nullptr, fd_, nullptr, size_t(1) << 30, 0);
        if (n > 0) continue;
        if (n == 0) return append::done;
        if (errno == EINTR) continue;
        if (first && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP ||
                      errno == EBADF))
            return append::unsupported; // nothing copied yet
        if (errno == ENOSPC || errno == EDQUOT || errno == EFBIG) {
            write_errno_ = errno;
            return append::done;
        }
        return append::read_failed;
    }
}

namespace {
// 64 random bits in hex, for a name no one can guess beforehand.
std::string random_suffix() {
    uint64_t bits = 0;
    if (getrandom(&bits, sizeof(bits), GRND_NONBLOCK) != ssize_t(sizeof(bits))) {
        static std::atomic<uint64_t> counter{0};
        bits = (uint64_t(getpid()) << 32) ^ uint64_t(time(nullptr)) ^
               (counter.fetch_add(1) * 0x9E3779B97F4A7C15ull);
    }
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(bits));
    return buf;
}
} // namespace

staged_file::staged_file(std::string path) : path_(std::move(path)) {
    for (staged_file*& s : t_staged)
        if (!s) {
            s = this;
            break;
        }
    // A new file under a name no one can guess, created here or not at all: a link or file
    // planted in a folder others can write (under a name they guessed) is never opened.
    for (int attempt = 0; attempt < 8 && fd_ < 0; ++attempt) {
        tmp_ = path_ + ".tmp." + std::to_string(getpid()) + "." + random_suffix();
        fd_ = open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd_ < 0 && errno != EEXIST) break;
    }
    if (fd_ < 0) {
        write_errno_ = errno;
        return;
    }
    cookie_io_functions_t io{};
    io.write = &staged_file::write_out;
    file_ = fopencookie(this, "w", io);
    if (!file_) {
        write_errno_ = errno;
        discard();
        return;
    }
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 16);
}

staged_file::~staged_file() {
    discard();
    for (staged_file*& s : t_staged)
        if (s == this) s = nullptr;
}

void staged_file::discard() {
    if (file_) std::fclose(file_);
    file_ = nullptr;
    if (fd_ >= 0) {
        ::close(fd_);
        unlink(tmp_.c_str());
    }
    fd_ = -1;
}

bool staged_file::commit(std::string* error) {
    bool ok = file_ && std::fflush(file_) == 0 && !std::ferror(file_) && !write_errno_;
    if (file_) std::fclose(file_);
    file_ = nullptr;
    if (ok && ::close(fd_) != 0) {
        write_errno_ = errno;
        ok = false;
    }
    if (ok) {
        fd_ = -1;
        if (rename(tmp_.c_str(), path_.c_str()) != 0) {
            const int why = errno;
            unlink(tmp_.c_str());
            if (error) *error = "cannot write '" + path_ + "': " + std::strerror(why);
            return false;
        }
        return true;
    }
    const bool created = fd_ >= 0;
    discard();
    if (error)
        *error = (created ? "cannot write '" : "cannot create '") + path_ +
                 "': " + std::strerror(write_errno_ ? write_errno_ : EIO);
    return false;
}

bool write_atomic(const std::string& path, const std::string& content, std::string* error) {
    staged_file f(path);
    if (f.get()) std::fwrite(content.data(), 1, content.size(), f.get());
    return f.commit(error);
}

bool copy_stream(std::FILE* in, std::FILE* out) {
    // Read through the descriptor from the stream's position (`in` is not read further).
    const int fd = fileno(in);
    const long at = std::ftell(in);
    if (fd < 0 || at < 0 || lseek(fd, at, SEEK_SET) != at) return false;
    // Into a staged file: copied by the kernel (copy_file_range), not through this process.
    if (staged_file* s = staged_file::of(out)) {
        const staged_file::append r = s->append_from(fd);
        if (r != staged_file::append::unsupported) return r == staged_file::append::done;
    }
    // Large blocks: the stream passes each straight to its write call, unbuffered.
    std::vector<char> block(size_t(1) << 20);
    for (;;) {
        const ssize_t n = ::read(fd, block.data(), block.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n == 0;
        if (std::fwrite(block.data(), 1, size_t(n), out) != size_t(n)) return true; // out's error
    }
}

memory_file::memory_file(std::string& out) : out_(out) {
    file_ = open_memstream(&buffer_, &size_);
}

void memory_file::close() {
    if (!file_) return;
    std::fclose(file_);
    file_ = nullptr;
    if (buffer_) out_.assign(buffer_, size_);
    std::free(buffer_);
    buffer_ = nullptr;
}

} // namespace timemory::rt
