// /proc/PID/mountinfo.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.hpp"

namespace fdscope::procfs {

// Octal escapes (\040 etc.) in paths are decoded. Malformed lines are skipped.
// root, mount_point, fstype and source are decoded; options holds the
// per-mount options (field 6, "rw,relatime") as written; super options are dropped.
std::vector<Mount> parse_mountinfo(std::string_view text);

// The same lines with the superblock's options too (field 11, "rw,size=64k"
// as written): a per-mount rw on a read-only superblock is still EROFS.
struct MountInfoLine {
    Mount mount;
    std::string super_options;
};
std::vector<MountInfoLine> parse_mountinfo_with_super(std::string_view text);

}  // namespace fdscope::procfs
