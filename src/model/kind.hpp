// What an open file is, as users name it (lsfd's TYPE, lsof's TYPE), and
// which association of a process holds it.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace fdscope {

enum class Kind : std::uint8_t {
    File, Dir, Chr, Blk, Fifo, Pipe,
    Tcp, Tcp6, Udp, Udp6, Raw, Raw6, Unix, Netlink, Packet, Socket,
    Eventfd, Epoll, Inotify, Fanotify, Signalfd, Timerfd, Pidfd, IoUring,
    BpfMap, BpfProg, BpfLink, PerfEvent, Userfaultfd, Memfd, Anon, Unknown,
};
inline constexpr int kKindCount = static_cast<int>(Kind::Unknown) + 1;

// The JSON/CLI spelling: "file", "tcp6", "bpf-map", "io_uring", ...
std::string_view kind_name(Kind k);
std::optional<Kind> kind_from_name(std::string_view name);
bool is_socket(Kind k);

// Where a process holds the file: an fd, or one of lsof's associations.
enum class Assoc : std::uint8_t { Fd, Cwd, Rtd, Exe, Mem, Shm };
std::string_view assoc_name(Assoc a);  // "cwd", "rtd", "exe", "mem", "shm"; "" for Fd

// Access mode from the open flags (O_ACCMODE) or a mapping's permissions.
enum class Mode : std::uint8_t { None, Read, Write, ReadWrite };
std::string_view mode_name(Mode m);  // "r", "w", "rw", "-"
Mode mode_from_flags(std::uint32_t flags);

}  // namespace fdscope
