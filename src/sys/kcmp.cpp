#include "sys/kcmp.hpp"

#include <cerrno>
#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace fdscope::sys {
namespace {

KcmpResult call(pid_t a, pid_t b, int type, unsigned long x, unsigned long y) {
    long r = ::syscall(SYS_kcmp, a, b, type, x, y);
    if (r == 0) return KcmpResult::Equal;
    if (r == 1) return KcmpResult::Less;
    if (r == 2) return KcmpResult::Greater;
    if (r < 0 && (errno == EPERM || errno == EACCES || errno == ENOSYS)) return KcmpResult::Denied;
    return KcmpResult::Unknown;
}

}  // namespace

KcmpResult kcmp_files(pid_t a, int fa, pid_t b, int fb) {
    return call(a, b, KCMP_FILE, static_cast<unsigned long>(fa), static_cast<unsigned long>(fb));
}

KcmpResult kcmp_fd_tables(pid_t a, pid_t b) { return call(a, b, KCMP_FILES, 0, 0); }

}  // namespace fdscope::sys
