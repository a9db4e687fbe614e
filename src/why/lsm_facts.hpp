// The LSM facts judged from outside: which LSMs are active, and the
// processes that decide opens and execs in userspace: fanotify listeners
// with permission events (fapolicyd, antivirus) and seccomp supervisors
// (user-notification fds). Neither can be evaluated; both can be named.
#pragma once
#include <string>
#include <vector>

#include "model/why_facts.hpp"

namespace fdscope::why {

// /sys/kernel/security/lsm, in order; empty with a note in `unreadable`
// when securityfs is not mounted.
std::vector<std::string> read_active_lsms(std::vector<std::string>& unreadable);

// Every fd on the machine that is a fanotify group with a permission mark
// (note: the events and what is marked, "FAN_OPEN_PERM on mount 62") or a
// seccomp notification listener (note "seccomp user notification"): one
// readlink per fd, fdinfo only for fanotify fds. fdscope itself is left out.
void read_lsm_listeners(LsmFacts& lsm);

// active + listeners.
void gather_lsm(LsmFacts& lsm, std::vector<std::string>& unreadable);

// Pure: "FAN_OPEN_PERM|FAN_OPEN_EXEC_PERM" for the permission bits of `mask`.
std::string fanotify_permission_names(std::uint64_t mask);

}  // namespace fdscope::why
