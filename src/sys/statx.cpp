#include "sys/statx.hpp"

#include <cerrno>
#include <fcntl.h>

namespace fdscope::sys {

int statx_fd(int fd, unsigned mask, struct statx& out) {
    if (::statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, mask, &out) == 0) return 0;
    return errno;
}

}  // namespace fdscope::sys
