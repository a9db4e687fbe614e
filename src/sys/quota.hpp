// quotactl_fd(2) (Linux 5.14): a filesystem's disk quota for one id, asked
// through any fd on it (O_PATH will do), so no block device path is needed.
#pragma once
#include <sys/quota.h>
#include <sys/types.h>

#include <cstdint>

namespace fdscope::sys {

// Q_GETQUOTA for `type` (USRQUOTA, GRPQUOTA, PRJQUOTA) and `id`: 0 or an
// errno (ENOSYS: no quota support in this kernel; ESRCH: quotas are off
// on this filesystem; EPERM: another id's quota needs CAP_SYS_ADMIN).
int get_quota(int fd_on_fs, int type, std::uint32_t id, dqblk& out);

}  // namespace fdscope::sys
