#include "trace/stack_window.hpp"

#include <cstring>
#include <sys/uio.h>

namespace fdscope::trace {

void StackWindow::reset(pid_t pid) {
    pid_ = pid;
    base_ = 0;
    len_ = 0;
}

bool StackWindow::load(std::uint64_t addr) {
    len_ = 0;
    base_ = addr;
    iovec local{bytes_.data(), bytes_.size()};
    // The stack's top page ends the mapping: the read stops there and
    // returns what it copied, which is all there is.
    iovec remote{reinterpret_cast<void*>(addr), bytes_.size()};
    ssize_t n = process_vm_readv(pid_, &local, 1, &remote, 1, 0);
    if (n <= 0) return false;
    len_ = static_cast<std::size_t>(n);
    return true;
}

std::optional<std::uint64_t> StackWindow::word(std::uint64_t addr) {
    const auto inside = [&] { return addr >= base_ && addr - base_ + 8 <= len_; };
    if (!inside() && (!load(addr) || !inside())) return std::nullopt;
    std::uint64_t v;
    std::memcpy(&v, bytes_.data() + (addr - base_), sizeof v);
    return v;
}

}  // namespace fdscope::trace
