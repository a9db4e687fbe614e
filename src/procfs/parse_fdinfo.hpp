// /proc/PID/fdinfo/N: position, flags (O_CLOEXEC included), mnt_id, ino,
// and the per-kind lines (eventfd, epoll tfd, inotify, signalfd, timerfd, pidfd).
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

// nullopt when "pos:" or "flags:" is missing.
std::optional<FdInfo> parse_fdinfo(std::string_view text);

}  // namespace fdscope::procfs
