// execveat(AT_EXECVE_CHECK) (Linux >= 6.14): the kernel's verdict on
// executing a file, every check of execve made, nothing executed.
#pragma once

#ifndef AT_EXECVE_CHECK
#define AT_EXECVE_CHECK 0x10000
#endif

namespace fdscope::sys {

// Whether this kernel knows the flag: older ones refuse it with EINVAL
// before looking at anything, and the probe call (on fd -1) can never
// execute anything.
bool kernel_has_execve_check();

// 0 when `path` (relative to the cwd) may be executed, else the errno.
int execve_check(const char* path);

}  // namespace fdscope::sys
