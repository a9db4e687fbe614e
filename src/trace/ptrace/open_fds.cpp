#include "trace/ptrace/open_fds.hpp"

#include <linux/close_range.h>

#include <algorithm>

namespace fdscope::trace::ptrace {

namespace {
// Far above any RLIMIT_NOFILE (fs.nr_open's ceiling is 2^30 but a table
// that large is not tracked bit by bit): numbers past it count as unknown.
constexpr std::int64_t kMaxTracked = 1 << 22;
}  // namespace

bool OpenFds::is_open(std::int64_t fd) const {
    return fd >= 0 && fd < static_cast<std::int64_t>(open_.size()) && open_[static_cast<std::size_t>(fd)];
}

void OpenFds::set(std::int64_t fd, bool open) {
    if (fd < 0 || fd >= kMaxTracked) return;
    const auto i = static_cast<std::size_t>(fd);
    if (i >= open_.size()) {
        if (!open) return;
        open_.resize(std::max<std::size_t>(i + 1, open_.size() * 2), false);
    }
    open_[i] = open;
}

void OpenFds::apply(const FdEvent& e) {
    if (e.op == Op::Reconcile) {
        open_.clear();
        return;
    }
    if (e.op == Op::Present) {
        set(e.fd, true);
        return;
    }
    // A close releases the fd even when it fails with EINTR or EIO; EBADF
    // says it was not open, which is what the set should say too.
    if (e.op == Op::Close) {
        set(e.fd, false);
        return;
    }
    if (!succeeded(e)) return;
    switch (op_class(e.op)) {
    case OpClass::Create:
        set(e.fd, true);
        if (creates_two(e.op)) set(e.fd2, true);
        break;
    case OpClass::Duplicate:
        set(e.fd2, true);
        break;
    case OpClass::Close:
        if (e.op == Op::CloseRange && (e.flags & CLOSE_RANGE_CLOEXEC) == 0) {
            const std::int64_t last = std::min<std::int64_t>(e.fd2 < 0 ? kMaxTracked : e.fd2,
                                                             static_cast<std::int64_t>(open_.size()) - 1);
            for (std::int64_t fd = e.fd; fd <= last; ++fd) set(fd, false);
        }
        break;
    default:
        break;
    }
}

}  // namespace fdscope::trace::ptrace
