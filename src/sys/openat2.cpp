#include "sys/openat2.hpp"

#include <cerrno>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace fdscope::sys {

UniqueFd openat2(int dirfd, const char* path, std::uint64_t flags, std::uint64_t resolve, int& err) {
    struct open_how how{};
    how.flags = flags | O_CLOEXEC;
    how.resolve = resolve;
    long fd;
    do fd = ::syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    while (fd < 0 && errno == EINTR);
    err = fd < 0 ? errno : 0;
    return UniqueFd(fd < 0 ? -1 : static_cast<int>(fd));
}

}  // namespace fdscope::sys
