// The space and quota layers: what a creation or a write allocates on a
// filesystem, and whether the free blocks and inodes (counting the blocks
// ext4 reserves) and the quotas of whoever is charged leave room for it.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "report/why/check.hpp"

namespace fdscope::report::why {

// What an operation allocates, and who is charged for it.
struct Allocation {
    bool inode = false;          // a new inode (create, mkdir, symlink, mknod of a socket)
    bool block = false;          // a data or directory block it cannot do without
    bool entry = false;          // a directory entry: a block only when the directory is full
    uid_t uid = 0;               // charged to (quota): the new inode's or the file's owner
    gid_t gid = 0;
};

// The space check of `alloc` on mount `mount_id`; `path` names it.
Check space_check(const Facts& facts, std::int32_t mount_id, const std::string& path, const Allocation& alloc);

}  // namespace fdscope::report::why
