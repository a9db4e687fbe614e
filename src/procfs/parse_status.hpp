// /proc/PID/status: the few fields stat lacks.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace fdscope::procfs {

struct StatusInfo {
    std::int32_t tgid = 0, pid = 0, ppid = 0;
    std::uint32_t uid_real = 0, uid_effective = 0;
    std::uint32_t threads = 0;
    bool has_uid = false;
};

std::optional<StatusInfo> parse_status(std::string_view text);

}  // namespace fdscope::procfs
