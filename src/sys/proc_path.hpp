// Names under /proc, relative to an open /proc directory, formatted into a
// fixed buffer: the scans and the sampler build one per process or fd, many
// thousand times a second, and must not allocate for it.
#pragma once
#include <cstdint>
#include <sys/types.h>

namespace fdscope::sys {

struct ProcPath {
    char text[64];
    // "N": a pid, a tid, or an fd number in an fd directory (N >= 0).
    explicit ProcPath(std::int64_t n);
    // "PID/REST", or "PID/task/TID/REST" when tid is not 0. A REST too long
    // for the buffer is cut.
    ProcPath(pid_t pid, pid_t tid, const char* rest);
};

}  // namespace fdscope::sys
