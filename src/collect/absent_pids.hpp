// Which of the pids a user named (-p) do not exist: lsof and `fdscope
// watch` say so and fail, and so do ls and audit.
#pragma once
#include <sys/types.h>
#include <vector>

#include "model/snapshot.hpp"

namespace fdscope::collect {

// The ids of `wanted` (pids, or tids, which -p accepts too) that are
// neither a process of `snap` nor in /proc now. A process left out by
// another filter (-c, -u) exists; one that exited before it was read does not.
std::vector<pid_t> absent_pids(const std::vector<pid_t>& wanted, const Snapshot& snap);

// Whether every id of `wanted` is in `absent` (then there is nothing to show).
bool all_absent(const std::vector<pid_t>& wanted, const std::vector<pid_t>& absent);

}  // namespace fdscope::collect
