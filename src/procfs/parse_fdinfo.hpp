// /proc/PID/fdinfo/N: position, flags (O_CLOEXEC included), mnt_id, ino,
// and the per-kind lines (eventfd, epoll tfd, inotify, signalfd, timerfd,
// pidfd, a UNIX socket's queued fds).
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "model/file.hpp"

namespace fdscope::procfs {

struct FdInfo {
    std::uint64_t pos = 0;
    std::uint32_t flags = 0;  // parsed from octal
    std::int32_t mnt_id = -1;
    std::uint64_t ino = 0;
    bool has_ino = false;
    FdDetail detail;
    bool has_detail = false;  // any per-kind line was seen
};

// nullopt when "pos:" or "flags:" is missing. Number bases follow the
// kernel: flags octal; pos, mnt_id, ino, eventfd-id, tfd, clockid, Pid
// decimal; eventfd-count, epoll events/ino, every inotify number (wd too),
// and sigmask hex. has_detail is set when a per-kind line gave a value
// (fanotify lines are not recorded).
std::optional<FdInfo> parse_fdinfo(std::string_view text);

}  // namespace fdscope::procfs
