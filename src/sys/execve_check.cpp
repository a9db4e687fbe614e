#include "sys/execve_check.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace fdscope::sys {

bool kernel_has_execve_check() {
    const char* argv[] = {"fdscope-probe", nullptr};
    const char* envp[] = {nullptr};
    long r = ::syscall(SYS_execveat, -1, "", argv, envp, AT_EMPTY_PATH | AT_EXECVE_CHECK);
    return r < 0 && errno != EINVAL;
}

int execve_check(const char* path) {
    const char* argv[] = {path, nullptr};
    const char* envp[] = {nullptr};
    if (::syscall(SYS_execveat, AT_FDCWD, path, argv, envp, AT_EXECVE_CHECK) < 0) return errno;
    return 0;
}

}  // namespace fdscope::sys
