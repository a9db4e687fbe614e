// -p pids that do not exist, for ls and audit: each is named on stderr,
// and the command's exit status is 1, as with lsof (and watch).
#pragma once
#include <sys/types.h>
#include <vector>

#include "model/snapshot.hpp"

namespace fdscope::cli {

struct MissingPids {
    std::vector<pid_t> pids;  // the named ones that do not exist
    bool all = false;         // none of the named exists: nothing to show
};

// Says "fdscope COMMAND: no process N" for each of `wanted` that is
// neither in `snap` nor in /proc.
MissingPids report_missing_pids(const char* command, const std::vector<pid_t>& wanted, const Snapshot& snap);

}  // namespace fdscope::cli
