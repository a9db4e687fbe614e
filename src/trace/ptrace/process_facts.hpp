// What /proc says about a traced process, for its ProcessRecord. Each read
// may fail (the process is gone): empty results, never an error.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace fdscope::trace::ptrace {

std::string read_comm(pid_t pid);                // /proc/PID/comm without its newline
std::string read_exe(pid_t pid);                 // the /proc/PID/exe link
std::vector<std::string> read_cmdline(pid_t pid);  // /proc/PID/cmdline, split at the NULs
std::vector<pid_t> read_tids(pid_t pid);         // /proc/PID/task, ascending
// The thread group of `tid` (Tgid: in /proc/TID/status), 0 when unreadable.
pid_t read_tgid(pid_t tid);
// Seccomp_filters: of /proc/PID/status (how many filters the process has),
// -1 when the kernel does not say (before 5.9, or unreadable).
int read_seccomp_filter_count(pid_t pid);
// CLOCK_MONOTONIC in nanoseconds, the events' clock.
std::uint64_t monotonic_ns();

}  // namespace fdscope::trace::ptrace
