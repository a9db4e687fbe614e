#include "sys/remote_fd.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace fdscope::sys {

UniqueFd copy_fd_of(pid_t pid, int fd, int& err) {
    err = 0;
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) {
        err = errno;
        return UniqueFd();
    }
    // The copy is O_CLOEXEC always (pidfd_getfd sets it).
    UniqueFd copy(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), fd, 0)));
    if (!copy) err = errno;
    return copy;
}

}  // namespace fdscope::sys
