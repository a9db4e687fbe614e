// The filesystem layer: rules of FUSE, NFS and overlayfs that the VFS
// does not make, and EXDEV across mounts.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/why/check.hpp"

namespace fdscope::report::why {

using fdscope::why::Inode;
using fdscope::why::MountFacts;

// One option of a comma-separated mount option list ("allow_other",
// "user_id=1000"): present, and its value.
bool has_option(std::string_view options, std::string_view name);
std::optional<std::string> option_value(std::string_view options, std::string_view name);

bool is_fuse(const MountFacts& mount);
bool is_nfs(const MountFacts& mount);
bool is_overlay(const MountFacts& mount);
// FUSE without default_permissions: the kernel leaves access to the daemon.
bool daemon_decides(const MountFacts& mount);

// What the filesystem of `mount` adds for the subject (FUSE allow_other
// and default_permissions, NFS squashing); empty for plain filesystems.
std::vector<Check> filesystem_checks(const Facts& facts, const MountFacts& mount, const std::string& path);

// rename and link refuse two paths on different mounts, even two bind
// mounts of one filesystem. `a` is the source, `b` where it goes.
Check cross_mount_check(const Facts& facts, const Inode& a, const std::string& a_path, std::int32_t b_mount,
                        const Inode* b_inode, const std::string& b_path, bool hard_link);

// overlayfs renames a directory from a lower layer only with redirect_dir.
Check overlay_dir_rename_check(const Facts& facts, const Inode& dir, const std::string& path);

}  // namespace fdscope::report::why
