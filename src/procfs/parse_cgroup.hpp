// /proc/PID/cgroup: "hierarchy-ID:controllers:path" per line.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace fdscope::procfs {

// The unified (v2, "0::") path when there is one, else the first v1
// line's path; nullopt when no line is well formed.
std::optional<std::string> parse_cgroup_path(std::string_view text);

}  // namespace fdscope::procfs
