// /proc/locks: the file locks held on the machine (flock, POSIX, OFD).
#pragma once
#include <cstdint>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace fdscope::procfs {

struct FileLock {
    std::string_view type;     // "FLOCK", "POSIX", "OFDLCK", "LEASE", "DELEG"
    std::string_view access;   // "READ", "WRITE", ...
    pid_t pid = 0;             // -1 for OFD locks
    std::uint32_t major = 0, minor = 0;
    std::uint64_t inode = 0;
};

// Held locks only: blocked waiters ("-> ...") are left out. Malformed lines
// are skipped. The views point into `text`.
std::vector<FileLock> parse_locks(std::string_view text);

}  // namespace fdscope::procfs
