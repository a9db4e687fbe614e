// The lines of /proc/PID/task/TID/status that decide whether a thread's
// seccomp filters can be read through ptrace: its seccomp mode and filter
// count, its tracer and its scheduler state.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace fdscope::procfs {

struct TraceStatus {
    char state = 0;              // "State:" letter: R, S, D, T, t, Z, ...
    std::int32_t tracer_pid = 0; // "TracerPid:", 0 untraced
    int seccomp = 0;             // "Seccomp:" 0 none, 1 strict, 2 filter
    std::uint32_t seccomp_filters = 0;  // "Seccomp_filters:" (Linux >= 5.9)
    bool has_seccomp = false;    // kernels without CONFIG_SECCOMP print no Seccomp line
};

// nullopt when no "TracerPid:" line is there (not a status file).
std::optional<TraceStatus> parse_trace_status(std::string_view text);

}  // namespace fdscope::procfs
