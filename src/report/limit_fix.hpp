// The remedy for a process near its RLIMIT_NOFILE: a prlimit command that
// prlimit accepts (the soft limit never above the hard one, the hard one
// never above fs.nr_open), and which part of it needs privilege.
#pragma once
#include <cstdint>
#include <string>
#include <sys/types.h>

#include "model/process.hpp"

namespace fdscope::report {

// A sentence for the audit's fix: "prlimit --pid 42 --nofile=2048:4096 ...".
// nr_open 0: unknown.
std::string raise_nofile_fix(pid_t pid, const Limit& limit, std::uint64_t nr_open);

}  // namespace fdscope::report
