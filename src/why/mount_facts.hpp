// The mounts a walk went through, as the subject's mount namespace has
// them (its mountinfo) and with their filesystem's space and name limit.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/why_facts.hpp"
#include "procfs/parse_mountinfo.hpp"

namespace fdscope::why {

// One mountinfo line as facts: the per-mount flags from field 6 (ro,
// nosuid, nodev, noexec, nosymfollow, idmapped) and super_ro from the
// superblock's options. Space and name_max are left as they are.
MountFacts mount_facts(const procfs::MountInfoLine& line);

// fstatfs (f_namelen) and fstatvfs (blocks, files, block size) of an fd
// on the mount: 0 or an errno value (MountFacts untouched then).
int read_mount_space(int fd, MountFacts& m);

// The facts of the mounts `ids` from the subject's mountinfo text, the
// space of each read through fds[i] (an fd on that mount, -1: none); ids
// missing from the text or unreadable are named in `unreadable`.
std::vector<MountFacts> mounts_touched(std::string_view mountinfo, const std::vector<std::int32_t>& ids,
                                       const std::vector<int>& fds, std::vector<std::string>& unreadable);

}  // namespace fdscope::why
