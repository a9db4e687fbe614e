// Internal to the decoder: one row of the fd syscall table.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "trace/decode/syscall.hpp"

namespace fdscope::trace {

// Largest path the decoder reads (PATH_MAX), and the shorter names:
// memfd names (249), mq names (NAME_MAX), filesystem type names.
inline constexpr std::uint16_t kPathCapture = 4096;
inline constexpr std::uint16_t kNameCapture = 256;
// Control data read per message: room for four full SCM_RIGHTS headers (the
// kernel passes at most SCM_MAX_FD = 253 fds in one).
inline constexpr std::uint16_t kControlCapture = 4096;

struct SyscallRow {
    long nr = -1;
    std::string_view name;
    std::vector<Op> ops;
    std::span<const Capture> captures;
    bool exit_needed = true;
};

const SyscallRow* syscall_row(Abi abi, long nr);

}  // namespace fdscope::trace
