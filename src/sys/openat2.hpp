// openat2(2), which glibc 2.36 does not wrap: the walk opens one name at a
// time with RESOLVE_* flags so that the kernel never follows a link or
// crosses a root on fdscope's behalf.
#pragma once
#include <cstdint>

#include "sys/unique_fd.hpp"

namespace fdscope::sys {

// openat2(dirfd, path, {flags | O_CLOEXEC, 0, resolve}); its errno in err
// (0 on success). ENOSYS on kernels before 5.6.
UniqueFd openat2(int dirfd, const char* path, std::uint64_t flags, std::uint64_t resolve, int& err);

}  // namespace fdscope::sys
