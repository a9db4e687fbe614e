// The facts of one inode the permission checks read, from an O_PATH fd
// (nothing is opened for real unless the ACL cannot be read otherwise).
#pragma once
#include "model/why_facts.hpp"

namespace fdscope::why {

// statx (mode, owner, size, links, mount id, immutable/append-only when
// the filesystem reports them) and the access ACL. 0 or the errno of
// statx; an unreadable ACL leaves acl_known false with acl_unreadable.
// The symlink target is not read here (the walk reads it).
int inode_facts(int opath_fd, Inode& out);

// The access ACL of what `opath_fd` refers to: libacl through
// /proc/self/fd/N, else (regular files and directories only) a real
// read-only fd of it. ENOTSUP is a filesystem without ACLs: known, empty.
void read_access_acl(int opath_fd, std::uint32_t mode, Inode& out);

}  // namespace fdscope::why
