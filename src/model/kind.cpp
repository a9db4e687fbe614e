#include "model/file.hpp"
#include "model/kind.hpp"

#include <array>
#include <fcntl.h>
#include <string>

namespace fdscope {
namespace {
constexpr std::array<std::string_view, kKindCount> kNames = {
    "file", "dir", "chr", "blk", "fifo", "pipe",
    "tcp", "tcp6", "udp", "udp6", "raw", "raw6", "unix", "netlink", "packet", "socket",
    "eventfd", "epoll", "inotify", "fanotify", "signalfd", "timerfd", "pidfd", "io_uring",
    "bpf-map", "bpf-prog", "bpf-link", "perf_event", "userfaultfd", "memfd", "anon", "unknown",
};
}  // namespace

std::string_view kind_name(Kind k) { return kNames[static_cast<std::size_t>(k)]; }

std::optional<Kind> kind_from_name(std::string_view name) {
    for (std::size_t i = 0; i < kNames.size(); ++i)
        if (kNames[i] == name) return static_cast<Kind>(i);
    return std::nullopt;
}

bool is_socket(Kind k) { return k >= Kind::Tcp && k <= Kind::Socket; }

std::string_view assoc_name(Assoc a) {
    switch (a) {
        case Assoc::Fd: return "";
        case Assoc::Cwd: return "cwd";
        case Assoc::Rtd: return "rtd";
        case Assoc::Exe: return "exe";
        case Assoc::Mem: return "mem";
        case Assoc::Shm: return "shm";
    }
    return "";
}

std::string_view mode_name(Mode m) {
    switch (m) {
        case Mode::Read: return "r";
        case Mode::Write: return "w";
        case Mode::ReadWrite: return "rw";
        case Mode::None: return "-";
    }
    return "-";
}

std::string_view name_of(const OpenFile& f, std::string& buf) {
    if (!f.name.empty() || f.assoc != Assoc::Fd) return f.name;
    if (f.kind == Kind::Pipe) buf = "pipe:[";
    else if (is_socket(f.kind)) buf = "socket:[";
    else return f.name;
    buf += std::to_string(f.inode);
    buf += ']';
    return buf;
}

Mode mode_from_flags(std::uint32_t flags) {
    // O_PATH descriptors can neither read nor write, although their
    // O_ACCMODE bits are O_RDONLY's (0).
    if (flags & O_PATH) return Mode::None;
    switch (flags & O_ACCMODE) {
        case O_RDONLY: return Mode::Read;
        case O_WRONLY: return Mode::Write;
        case O_RDWR: return Mode::ReadWrite;
    }
    return Mode::None;  // O_ACCMODE 3: no access either
}

}  // namespace fdscope
