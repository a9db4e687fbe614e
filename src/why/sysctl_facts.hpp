// The machine-wide settings the path and limit rules read.
#pragma once
#include <string>
#include <vector>

#include "model/why_facts.hpp"

namespace fdscope::why {

// fs.protected_{symlinks,hardlinks,fifos,regular}, fs.file-nr, fs.file-max
// and (see the .cpp) net.ipv4.ip_unprivileged_port_start. known when all
// were read; the others are named in `unreadable`.
Sysctls read_sysctls(std::vector<std::string>& unreadable);

}  // namespace fdscope::why
