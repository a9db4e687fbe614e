// /proc/sysvipc/shm.
#pragma once
#include <string_view>
#include <vector>

#include "model/snapshot.hpp"

namespace fdscope::procfs {

// Header line skipped; malformed lines skipped. The kernel prints key_t
// signed ("-559038737"); keys are returned as their unsigned 32-bit value
// (3735928559 == 0xdeadbeef, as ipcs shows), so both spellings agree.
// perms keeps the SHM_DEST (01000) and SHM_LOCKED (02000) bits.
std::vector<ShmSegment> parse_sysvipc_shm(std::string_view text);

}  // namespace fdscope::procfs
