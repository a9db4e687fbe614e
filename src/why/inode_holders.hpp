// Who holds a pipe or a socket: every fd on the machine whose link names
// one of the given inodes ("socket:[N]", "pipe:[N]"). Only those fds are
// read (readlink decides), so the cost is one readlink per fd.
#pragma once
#include <cstdint>
#include <unordered_set>
#include <vector>

#include "collect/read_process.hpp"
#include "model/snapshot.hpp"
#include "model/why_facts.hpp"

namespace fdscope::why {

// Every process, with only the fds `filter` matches (flags read).
Snapshot filtered_inventory(const collect::FdFilter& filter);
// The same for pipe and socket inodes.
Snapshot inode_inventory(const std::unordered_set<std::uint64_t>& inodes);

// The holders of `inode` in `inventory`, by pid and fd; a holder whose
// parent holds it too gets the note "inherited from PPID" (a listener a
// child kept across fork and exec). fdscope itself is left out.
std::vector<Holder> holders_of_inode(const Snapshot& inventory, std::uint64_t inode);

}  // namespace fdscope::why
