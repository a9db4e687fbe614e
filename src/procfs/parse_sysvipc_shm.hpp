// /proc/sysvipc/shm.
#pragma once
#include <string_view>
#include <vector>

#include "model/snapshot.hpp"

namespace fdscope::procfs {

// Header line skipped; malformed lines skipped.
std::vector<ShmSegment> parse_sysvipc_shm(std::string_view text);

}  // namespace fdscope::procfs
