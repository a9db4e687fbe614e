#include "why/quota_facts.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "sys/errno_text.hpp"
#include "sys/quota.hpp"
#include "sys/unique_fd.hpp"

namespace fdscope::why {

std::string quota_reason(int err) {
    switch (err) {
    case ENOSYS: return "the kernel was built without quota support (quotactl: ENOSYS)";
    case ESRCH: return "quotas are not on for this filesystem";
    case ENOTTY: case EOPNOTSUPP: case EINVAL: return "this filesystem has no quotas";
    default: return "quotactl: " + sys::errno_text(err);
    }
}

QuotaFacts read_quota(const std::string& fs_path, std::int32_t mount_id, uid_t uid, gid_t gid) {
    QuotaFacts q;
    q.mount_id = mount_id;
    q.now = static_cast<std::int64_t>(std::time(nullptr));
    sys::UniqueFd fd(::open(fs_path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW));
    if (!fd) fd = sys::UniqueFd(::open(fs_path.c_str(), O_PATH | O_CLOEXEC));
    if (!fd) {
        q.reason = fs_path + ": " + sys::errno_text(errno);
        return q;
    }
    struct Ask {
        QuotaUsage::Kind kind;
        int type;
        std::uint32_t id;
    };
    std::vector<Ask> asks{{QuotaUsage::Kind::User, USRQUOTA, uid}, {QuotaUsage::Kind::Group, GRPQUOTA, gid}};
    // A directory's project id (FS_IOC_FSGETXATTR needs a real fd, not O_PATH).
    fsxattr fsx{};
    if (::ioctl(fd.get(), FS_IOC_FSGETXATTR, &fsx) == 0 && fsx.fsx_projid != 0)
        asks.push_back({QuotaUsage::Kind::Project, PRJQUOTA, fsx.fsx_projid});
    q.known = true;
    int first_error = 0;
    for (const Ask& a : asks) {
        dqblk d{};
        const int err = sys::get_quota(fd.get(), a.type, a.id, d);
        if (err == ESRCH) continue;  // this kind of quota is off; the others may be on
        if (err != 0) {
            if (!first_error) first_error = err;
            continue;
        }
        QuotaUsage u;
        u.kind = a.kind;
        u.id = a.id;
        u.space_used = d.dqb_curspace;
        u.space_soft = d.dqb_bsoftlimit * 1024;  // limits count 1 KiB blocks (QIF_DQBLKSIZE)
        u.space_hard = d.dqb_bhardlimit * 1024;
        u.inodes_used = d.dqb_curinodes;
        u.inodes_soft = d.dqb_isoftlimit;
        u.inodes_hard = d.dqb_ihardlimit;
        u.space_grace_end = static_cast<std::int64_t>(d.dqb_btime);
        u.inodes_grace_end = static_cast<std::int64_t>(d.dqb_itime);
        q.usage.push_back(u);
    }
    if (q.usage.empty()) {
        const int err = first_error ? first_error : ESRCH;
        q.supported = false;
        q.reason = quota_reason(err);
        // Not permitted to read them is not "no quotas": the rules must say unknown.
        if (err == EPERM || err == EACCES) {
            q.known = false;
            q.supported = true;
        }
    }
    return q;
}

}  // namespace fdscope::why
