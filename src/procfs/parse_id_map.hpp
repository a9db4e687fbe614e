// /proc/PID/uid_map and gid_map: how a user namespace's ids map to its
// parent's ("inside outside count" per line, up to 340 lines).
#pragma once
#include <optional>
#include <string_view>
#include <vector>

#include "model/why_facts.hpp"

namespace fdscope::procfs {

// nullopt when a line is not three numbers or a count is 0 (the kernel
// never prints such a line: the text is not an id map).
std::optional<std::vector<why::IdMapExtent>> parse_id_map(std::string_view text);

// Whether the map is the initial namespace's ("0 0 4294967295"): every id is itself.
bool is_identity_map(const std::vector<why::IdMapExtent>& map);

}  // namespace fdscope::procfs
