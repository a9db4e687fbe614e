// inode_permission() of fs/namei.c for a subject: the read-only
// superblock, the immutable flag, then generic_permission(): the owner,
// group and other bits, the POSIX ACL (only when the group bits, the
// mask, are not empty), and the capability fallback, which counts only
// when the inode's owner maps into the subject's user namespace.
#pragma once
#include <string>
#include <vector>

#include "report/why/check.hpp"

namespace fdscope::report::why {

using fdscope::why::Inode;

// MAY_EXEC, MAY_WRITE, MAY_READ as the kernel numbers them.
inline constexpr int kMayExec = 1;
inline constexpr int kMayWrite = 2;
inline constexpr int kMayRead = 4;

// "read", "write and search", "execute"
std::string access_words(int mask, bool directory);

// What generic_permission() decides and which layer decided it.
struct DacDecision {
    bool granted = false;
    Layer layer = Layer::Mode;   // Mode, Acl or Capability
    std::string reason;          // the bits or ACL entries that decided
    std::string capability;      // what the capability fallback did ("" when the bits granted)
    std::string fix;             // for a denial: chmod/setfacl/chown
    bool unknown = false;        // the ACL was not read and could decide
};
DacDecision generic_permission(const Facts& facts, const Inode& inode, int mask, const std::string& path);

struct PermissionAsk {
    std::string path;
    int mask = 0;
    bool search = false;      // a directory the walk looks a name up in: layer "search"
    bool superblock = true;   // judge sb_permission here (false: mnt_want_write already did)
};
// The checks of inode_permission(), in its order: superblock (writes),
// immutable (writes), then the permission bits.
std::vector<Check> inode_permission_checks(const Facts& facts, const Inode& inode, const PermissionAsk& ask);

// The same decision as a yes/no, for rules that only ask (protected_hardlinks).
bool permission_granted(const Facts& facts, const Inode& inode, int mask);

// IS_IMMUTABLE / IS_APPEND as a check (EPERM). `refused` ends the
// sentence "PATH is immutable: ..." ("nobody may write it, root included").
Check immutable_check(const Facts& facts, const Inode& inode, const std::string& path, const std::string& refused);
// `applies`: the append-only flag refuses this access (a write without
// O_APPEND, a truncate, an unlink); an append-only inode passes otherwise.
Check append_only_check(const Facts& facts, const Inode& inode, const std::string& path, bool applies,
                        const std::string& refused);

}  // namespace fdscope::report::why
