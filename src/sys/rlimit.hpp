// Another process's resource limits, as the kernel holds them now.
#pragma once
#include <sys/resource.h>
#include <sys/types.h>

namespace fdscope::sys {

// prlimit(pid, resource, NULL, &out) (pid 0: this process): 0 or an errno
// value (ESRCH gone, EPERM not ours to read).
int process_rlimit(pid_t pid, int resource, struct rlimit& out);

}  // namespace fdscope::sys
