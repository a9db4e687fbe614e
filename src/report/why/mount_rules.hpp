// The mount layer: read-only mounts and superblocks, nodev, noexec,
// nosuid, nosymfollow, named by the mount the subject sees.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "report/why/check.hpp"

namespace fdscope::report::why {

using fdscope::why::Inode;
using fdscope::why::MountFacts;

// "mount 812 /srv (ext4 /dev/sda1, ro,relatime; bind of /data)"
std::string mount_text(const MountFacts& mount);
// The mount is a bind mount of part of a filesystem (its root is not "/").
bool is_bind(const MountFacts& mount);
// A shell command run as the caller that changes the subject's mount
// (through nsenter when the subject has another mount namespace).
std::string mount_command(const Facts& facts, const std::string& args);

// mnt_want_write(): EROFS for a per-mount or superblock read-only mount.
// `when` says where the kernel asks ("to create a name in it").
Check want_write_check(const Facts& facts, std::int32_t mount_id, const std::string& path, std::string_view when);
// sb_permission(): EROFS for a write to a regular file, directory or
// symlink on a read-only superblock, before the permission bits.
Check superblock_check(const Facts& facts, const Inode& inode, const std::string& path);
// __mnt_want_write() in do_dentry_open(): EROFS of a per-mount read-only
// mount, after the permission bits passed.
Check mount_ro_after_permission_check(const Facts& facts, const Inode& inode, const std::string& path);
// may_open_dev(): a device node on a nodev mount.
Check nodev_check(const Facts& facts, const Inode& inode, const std::string& path);
// path_noexec(): exec on a noexec mount.
Check noexec_check(const Facts& facts, const Inode& inode, const std::string& path);
// MNT_NOSYMFOLLOW on the mount holding a symlink the walk follows (Fail or nothing).
bool nosymfollow(const Facts& facts, const Inode& link);
Check nosymfollow_check(const Facts& facts, const Inode& link, const std::string& path);
// A setuid/setgid program on a nosuid mount, or for a no_new_privs subject:
// runs without the owner's ids (a note, not a failure).
Check setid_exec_check(const Facts& facts, const Inode& inode, const std::string& path);

}  // namespace fdscope::report::why
