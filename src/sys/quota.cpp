#include "sys/quota.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace fdscope::sys {

int get_quota(int fd_on_fs, int type, std::uint32_t id, dqblk& out) {
#ifdef SYS_quotactl_fd
    const long rc = ::syscall(SYS_quotactl_fd, fd_on_fs, static_cast<unsigned>(QCMD(Q_GETQUOTA, type)),
                              static_cast<long>(id), &out);
    return rc == 0 ? 0 : errno;
#else
    (void)fd_on_fs, (void)type, (void)id, (void)out;
    return ENOSYS;
#endif
}

}  // namespace fdscope::sys
