// A copy of another process's fd (pidfd_open + pidfd_getfd, Linux >= 5.6),
// for fstat and fstatfs only: the copy shares the open file description,
// so reading, seeking or locking through it would change what the owner
// sees. Needs ptrace access to the process (PTRACE_MODE_ATTACH_REALCREDS).
#pragma once
#include <sys/types.h>

#include "sys/unique_fd.hpp"

namespace fdscope::sys {

// Invalid on failure, with its errno in `err` (ESRCH gone, EBADF no such fd,
// EPERM refused, ENOSYS an older kernel).
UniqueFd copy_fd_of(pid_t pid, int fd, int& err);

}  // namespace fdscope::sys
