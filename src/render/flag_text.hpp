// The raw flags of an fd event (model/event.hpp: the syscall's own flags
// argument) as strace spells them: "O_WRONLY|O_APPEND",
// "SOCK_STREAM|SOCK_CLOEXEC", "CLONE_VM|CLONE_VFORK|SIGCHLD", an ioctl's
// request name. Bits without a name are appended in hex. Pure.
#pragma once
#include <cstdint>
#include <string>

#include "model/event.hpp"

namespace fdscope::render {

// "" for ops whose event carries no flags argument (close, dup, dup2,
// accept, pipe, creat, fork, execve, ...); "0" when the argument was 0.
// fcntl F_DUPFD/F_DUPFD_CLOEXEC: the lowest number asked for, in decimal.
std::string flags_text(Op op, std::uint64_t flags);
bool has_flags(Op op);

}  // namespace fdscope::render
