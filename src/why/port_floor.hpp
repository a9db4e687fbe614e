// net.ipv4.ip_unprivileged_port_start as the subject's network namespace
// has it: /proc/sys/net shows the namespace of whoever opens it, so a
// forked child joins the subject's namespace (setns through
// /proc/PID/ns/net) and reads it there, handing the number back on a pipe.
// fdscope's own namespace never changes.
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "model/why_facts.hpp"

namespace fdscope::why {

// The floor in the network namespace of process `pid` (0: fdscope's own);
// nullopt with `error` set when it cannot be read.
std::optional<int> read_port_floor(pid_t pid, std::string& error);

// Sets sysctls.ip_unprivileged_port_start for the subject (a user or the
// caller: fdscope's namespace), or notes in `unreadable` why not.
void gather_port_floor(const Subject& subject, Sysctls& sysctls, std::vector<std::string>& unreadable);

}  // namespace fdscope::why
