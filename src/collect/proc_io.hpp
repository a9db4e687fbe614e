// Thin, allocation-free syscall wrappers for reading /proc relative to a
// directory fd. Every call returns an errno-style code instead of throwing:
// processes vanish and fds close mid-scan, and that is normal.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <vector>

namespace fdscope::collect {

// Owns one file descriptor.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();
    int get() const { return fd_; }
    int release() { int f = fd_; fd_ = -1; return f; }
    explicit operator bool() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

// openat(dirfd, name, O_RDONLY|O_DIRECTORY|O_CLOEXEC); returns -errno in err.
UniqueFd open_dir(int dirfd, const char* name, int& err);

// SingleRecord: the file is a single_open seq_file (stat, status, fdinfo,
// limits) that hands out its whole text in one read when the buffer is
// large enough, so a short read is the end and saves a syscall per file.
// Stream: iterate until read returns 0 (maps, mountinfo, sysvipc).
enum class ReadMode { SingleRecord, Stream };

// Reads a whole procfs file into buf, replacing its contents.
// Returns 0 or an errno value.
int read_file_at(int dirfd, const char* name, std::string& buf, ReadMode mode);

// readlinkat into buf; returns 0 or an errno value. Targets longer than
// PATH_MAX are read in full (the buffer grows).
int readlink_at(int dirfd, const char* name, std::string& buf);

// Names in a directory that are decimal numbers (pids, tids, fds), unsorted.
// Returns 0 or an errno value.
int list_numeric(int dirfd, std::vector<std::int32_t>& out);

// Formats a non-negative integer into a small buffer; returns a C string.
struct NumName {
    char text[16];
    explicit NumName(std::int64_t v);
};

}  // namespace fdscope::collect
