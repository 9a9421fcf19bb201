// Creating the output folder and writing files atomically.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <string>

namespace timemory::rt {

/// Creates `dir` and its parents. False (with `error` set) when it cannot.
bool make_dirs(const std::string& dir, std::string* error);

/// Creates the folder `dir` (its parent exists), or accepts it where it is already a folder
/// of this user's, never through a link. False (with `error` set) otherwise.
bool make_own_subfolder(const std::string& dir, std::string* error);

/// A file written through a FILE* into `<path>.tmp.<pid>.<random>` (created new, never
/// through a link), renamed to `path` by commit(),
/// so a reader never sees a half-written report. Without a successful commit() (an error,
/// a full disk, an exception) the temporary file is removed: no partial file is left.
class staged_file {
public:
    explicit staged_file(std::string path);
    ~staged_file();
    staged_file(const staged_file&) = delete;
    staged_file& operator=(const staged_file&) = delete;
    /// The stream to write to; null when the file could not be created (see commit()).
    std::FILE* get() const { return file_; }
    /// Flushes, closes and renames into place. False (with `error` set, naming the file
    /// and the system's reason) on any failure, the temporary file removed.
    bool commit(std::string* error);
    /// The system's reason for the failure (errno), 0 while none.
    int error() const { return write_errno_; }
    /// The staged file (open on this thread) whose stream is `f`, or null.
    static staged_file* of(std::FILE* f);
    enum class append { done, read_failed, unsupported };
    /// Appends file `in` from its offset to its end (after what the stream holds), copied by
    /// the kernel. `unsupported` (nothing copied) where the kernel cannot copy between the
    /// two; a failure to write shows in commit() as any other.
    append append_from(int in);

private:
    static ssize_t write_out(void* cookie, const char* data, size_t size);
    void discard();
    std::string path_, tmp_;
    int fd_ = -1;
    std::FILE* file_ = nullptr;
    int write_errno_ = 0; ///< the first failure: creating the file, or writing it
};

/// Writes `content` to `path` through a staged_file. False (with `error` set) on any
/// failure; no partial file.
bool write_atomic(const std::string& path, const std::string& content, std::string* error);

/// Copies `in` (a stream on a file, not read from after this) from where it is to its end
/// into `out`. False when `in` could not be read (`out`'s own errors show in
/// ferror/commit as for any write).
bool copy_stream(std::FILE* in, std::FILE* out);

/// A FILE* that writes into `out` (open_memstream): stream writers producing a string.
/// `out` holds the text once close() (or the destructor) has run.
class memory_file {
public:
    explicit memory_file(std::string& out);
    ~memory_file() { close(); }
    memory_file(const memory_file&) = delete;
    memory_file& operator=(const memory_file&) = delete;
    std::FILE* get() const { return file_; }
    void close();

private:
    std::string& out_;
    char* buffer_ = nullptr;
    size_t size_ = 0;
    std::FILE* file_ = nullptr;
};

/// The text `write(FILE*)` writes: a stream writer's output as a string ("" when no stream
/// can be opened, out of memory).
template <typename Write>
std::string text_of(Write&& write) {
    std::string out;
    memory_file f(out);
    if (f.get()) write(f.get());
    f.close();
    return out;
}

} // namespace timemory::rt
