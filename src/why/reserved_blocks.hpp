// Who may write into an ext2/3/4 filesystem's reserved blocks: resuid and
// resgid from its superblock, read from the block device (root only).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/why_facts.hpp"
#include "procfs/parse_ext4_super.hpp"

namespace fdscope::why {

// The superblock of the device at `device_path` (a block device or an
// image file); nullopt with `error` set when it cannot be read or is not
// ext2/3/4.
std::optional<procfs::Ext4Reserved> read_ext4_reserved(const std::string& device_path, std::string& error);

// For an ext2/3/4 mount: fills reserved_uid/reserved_gid from the device
// of `dev` (st_dev of a file on it, found as /dev/block/MAJ:MIN, else the
// mount's source); other filesystems are left alone.
void gather_reserved_blocks(MountFacts& mount, std::uint64_t dev, std::vector<std::string>& unreadable);

}  // namespace fdscope::why
