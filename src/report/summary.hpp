// The machine summary (`fdscope` with no command): the first thing a paged
// person runs. Handles vs file-max, fds in total, the top processes by fd
// count with their RLIMIT_NOFILE headroom, who is near the limit, and what
// could not be read.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/snapshot.hpp"

namespace fdscope::report {

struct ProcessUse {
    pid_t pid = 0;
    std::string comm;
    uid_t uid = 0;
    std::uint64_t fds = 0;
    Limit nofile;
    double percent = 0;         // fds / soft limit × 100; 0 when unlimited/unknown
    std::uint64_t headroom = 0; // soft limit - fds
    std::uint32_t tables = 0;   // >1: a thread unshared its table
    bool leader_exited = false;
};

struct Summary {
    FileNr file_nr;
    std::uint64_t nr_open = 0;
    double handles_percent = 0;  // allocated / file-max × 100
    std::uint64_t fds = 0;
    std::uint64_t processes = 0;
    Skipped skipped;
    std::vector<ProcessUse> top;         // by fds, descending
    std::vector<ProcessUse> near_limit;  // >= near_percent of the soft limit
    double near_percent = 80;
};

ProcessUse process_use(const Process& p);
Summary summarize(const Snapshot& snap, std::size_t top_n, double near_percent = 80);

}  // namespace fdscope::report
