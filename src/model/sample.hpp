// One tick of the sampler (collect/sampler.hpp): every selected process's
// fd count and soft limit, and the machine's handle count, at one time.
#pragma once
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace fdscope {

struct ProcSample {
    pid_t pid = 0;
    std::uint64_t start_ticks = 0;  // stat field 22: with pid, the process's identity
    double start = 0;               // the same in Unix seconds
    std::string comm;
    std::uint64_t fds = 0;
    std::uint64_t limit = 0;        // soft RLIMIT_NOFILE; 0: unlimited or unreadable
    pid_t via_tid = 0;              // the leader exited: counted through this thread
    bool fresh = false;             // first tick this process is seen (or its pid was reused)
};

struct Tick {
    double time = 0;                // Unix seconds
    std::uint64_t file_nr = 0, file_max = 0;
    bool listed = false;            // /proc was listed this tick
    std::size_t unreadable = 0;     // processes whose count could not be read (entries mode, EACCES)
    std::vector<ProcSample> procs;  // ascending pid
};

}  // namespace fdscope
