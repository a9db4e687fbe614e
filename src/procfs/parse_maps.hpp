// /proc/PID/maps.
#pragma once
#include <cstdint>
#include <functional>
#include <string_view>

namespace fdscope::procfs {

struct MapEntry {
    std::uint64_t start = 0, end = 0, offset = 0;
    char perms[5] = {'-', '-', '-', '-', 0};
    std::uint32_t major = 0, minor = 0;  // hex in the file
    std::uint64_t inode = 0;
    std::string_view path;  // "" for anonymous; "[heap]" etc. kept as is; " (deleted)" stripped
    bool deleted = false;
};

// Calls `fn` for each well-formed line; malformed lines are skipped.
// Returns the number of lines skipped as malformed.
std::size_t parse_maps(std::string_view text, const std::function<void(const MapEntry&)>& fn);

}  // namespace fdscope::procfs
