// /proc/PID/limits.
#pragma once
#include <optional>
#include <string_view>

#include "model/process.hpp"

namespace fdscope::procfs {

// The "Max open files" line; "unlimited" becomes kUnlimited.
std::optional<Limit> parse_nofile_limit(std::string_view text);

// The line named `name` ("Max file size", "Max processes", ...), as above.
std::optional<Limit> parse_limit(std::string_view text, std::string_view name);

}  // namespace fdscope::procfs
