// The subject's cgroup, as it bears on a file operation: the device
// controller (v1 devices.list; v2 device BPF programs) refusing a device
// node, pids.max refusing a fork, and what makes reads and writes slow
// rather than fail: memory.high/max breaches, io.max, PSI pressure.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "model/why_facts.hpp"

namespace fdscope::why {

// The cgroup of process `pid` (fdscope's own for a user or the caller),
// found through /proc/PID/cgroup and our mountinfo; what could not be read
// goes to `unreadable`.
CgroupFacts read_cgroup_facts(pid_t pid, std::vector<std::string>& unreadable);

}  // namespace fdscope::why
