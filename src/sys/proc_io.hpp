// Thin, allocation-free syscall wrappers for reading /proc relative to a
// directory fd. Every call returns an errno-style code instead of throwing:
// processes vanish and fds close mid-scan, and that is normal.
#pragma once
#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <vector>

#include "sys/unique_fd.hpp"

namespace fdscope::sys {

// openat(dirfd, name, O_RDONLY|O_DIRECTORY|O_CLOEXEC); its errno in err (0 on success).
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

// Whether a /proc read failed because the process, thread or fd is gone
// (exited, closed) rather than refused.
inline bool gone(int err) { return err == ENOENT || err == ESRCH; }

}  // namespace fdscope::sys
