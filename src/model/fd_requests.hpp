// The requests of multiplexing syscalls that return a new fd: ioctls
// (strace marks them RVAL_FD) and bpf() commands, with what the fd is and
// how its close-on-exec flag is decided. One table for the decoder (which
// requests make fds) and the live line (their names).
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

#include "model/kind.hpp"

namespace fdscope {

enum class IoctlCloexec : std::uint8_t {
    Always,        // the driver installs the fd with O_CLOEXEC
    ArgOpenFlags,  // the argument is open flags: O_CLOEXEC in it (TIOCGPTPEER, USERFAULTFD_IOC_NEW)
    ArgStructU32,  // the argument points at a u32 of flags at `flags_offset` with `flags_cloexec`
};

struct FdIoctl {
    std::uint32_t request = 0;
    std::string_view name;  // "KVM_CREATE_VM"
    Kind kind = Kind::Unknown;
    IoctlCloexec cloexec = IoctlCloexec::Always;
    std::uint8_t flags_offset = 0;   // ArgStructU32 only
    std::uint32_t flags_cloexec = 0; // ArgStructU32 only
};

// nullptr for requests that make no fd. Requests are 32 bits (the kernel's
// `unsigned int cmd`): the upper half of the register is ignored.
const FdIoctl* fd_ioctl(std::uint64_t request);
std::span<const FdIoctl> fd_ioctls();

// bpf() commands that return an fd; the kernel always sets O_CLOEXEC.
struct FdBpfCmd {
    std::uint32_t cmd = 0;
    std::string_view name;  // "BPF_MAP_CREATE"
    Kind kind = Kind::Unknown;
};
const FdBpfCmd* fd_bpf_cmd(std::uint64_t cmd);  // nullptr for the others

}  // namespace fdscope
