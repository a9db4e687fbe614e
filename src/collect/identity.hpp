// Open file description identity for the procfs backend.
//
// Fds share a description after dup(), fork() or SCM_RIGHTS. procfs does not
// expose the kernel's struct file, but kcmp(KCMP_FILE) orders two fds by it,
// as CRIU does. Fds are grouped by what a description cannot change (device,
// inode, access mode), then each group is split by binary insertion into a
// kcmp-sorted list of representatives. A hint (the last description seen with
// the same flags and position) is tried first, so dup'd and fork-shared fds
// cost one kcmp each and only a new description pays log2(group) calls.
#pragma once
#include "model/snapshot.hpp"

namespace fdscope::collect {

// Sets OpenFile::description on every fd of every table to a dense id
// (0, 1, 2, ... in order of first appearance by pid, table, fd) and
// Snapshot::description_count. Sets Snapshot::ids_exact to false when kcmp
// was not permitted, in which case fds are grouped by (dev, inode, flags
// without O_CLOEXEC, position) and ids are approximate.
void assign_descriptions(Snapshot& snap, unsigned threads);

}  // namespace fdscope::collect
