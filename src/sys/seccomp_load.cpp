#include "sys/seccomp_load.hpp"

#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace fdscope::sys {

int load_seccomp_filter(std::span<const sock_filter> program) {
    sock_fprog fprog{};
    fprog.len = static_cast<unsigned short>(program.size());
    fprog.filter = const_cast<sock_filter*>(program.data());
    if (program.size() > 0xffff) return EINVAL;
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0) return errno;
    return 0;
}

int enter_seccomp_strict() {
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, nullptr) < 0) return errno;
    return 0;
}

}  // namespace fdscope::sys
