// What fills an fd table (EMFILE: the subject's fds grouped by kind and
// name, largest group first) and the machine's file table (ENFILE: the
// processes holding the most fds).
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <vector>

#include "model/snapshot.hpp"
#include "model/why_facts.hpp"

namespace fdscope::why {

// Pure: the fds of process `pid` in `snap`, grouped (a file by its path, a
// listening or unconnected socket by its local address, a connected one
// by its peer and state, pipes and anonymous files by kind alone), the
// `top` largest first. Holder: pid, count, note "412 tcp -> 10.0.0.5:5432 (ESTAB)".
std::vector<Holder> group_fds(const Snapshot& snap, pid_t pid, std::size_t top);

// Reads process `pid` (with its socket tables) and groups its fds.
std::vector<Holder> fd_groups_of(pid_t pid, std::size_t top);

// Pure: the `top` processes of `snap` by fd count, note "2048 fds".
std::vector<Holder> top_by_fds(const Snapshot& snap, std::size_t top);

// Counts every process's fds (one stat per table on Linux >= 6.2) and
// keeps the `top` largest.
std::vector<Holder> top_file_holders(std::size_t top);

}  // namespace fdscope::why
