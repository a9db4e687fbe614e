// /proc/PID/limits.
#pragma once
#include <optional>
#include <string_view>

#include "model/process.hpp"

namespace fdscope::procfs {

// The "Max open files" line; "unlimited" becomes kUnlimited.
std::optional<Limit> parse_nofile_limit(std::string_view text);

}  // namespace fdscope::procfs
