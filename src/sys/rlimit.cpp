#include "sys/rlimit.hpp"

#include <cerrno>

namespace fdscope::sys {

int process_rlimit(pid_t pid, int resource, struct rlimit& out) {
    if (::prlimit(pid, static_cast<__rlimit_resource>(resource), nullptr, &out) == 0) return 0;
    return errno;
}

}  // namespace fdscope::sys
