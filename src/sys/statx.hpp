// statx(2) of what an fd refers to, the fd itself when it is an O_PATH fd
// of a symlink: the walk inspects each name it looked up without opening
// it for real (no side effects on devices or FIFOs).
#pragma once
#include <sys/stat.h>

namespace fdscope::sys {

// statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, mask): 0 or an errno value.
int statx_fd(int fd, unsigned mask, struct statx& out);

}  // namespace fdscope::sys
