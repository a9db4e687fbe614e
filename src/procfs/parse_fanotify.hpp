// The mark lines of a fanotify fd's /proc/PID/fdinfo/N
// (Documentation/filesystems/proc.rst):
//   fanotify flags:10 event-flags:0
//   fanotify mnt_id:3e mflags:0 mask:10000 ignored_mask:0
//   fanotify ino:4f969 sdev:800013 mflags:0 mask:3b ignored_mask:40000000 fhandle-bytes:8 ...
//   fanotify sdev:800013 mflags:0 mask:10000 ignored_mask:0 ...     (a filesystem mark)
// Numbers are hex.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace fdscope::procfs {

struct FanotifyMark {
    enum class On { Inode, Mount, Filesystem } on = On::Inode;
    std::uint64_t inode = 0;     // On::Inode
    std::int32_t mnt_id = -1;    // On::Mount
    std::uint32_t sdev = 0;      // Inode and Filesystem: the kernel's dev_t encoding
    std::uint64_t mask = 0, ignored_mask = 0;
};

// FAN_OPEN_PERM, FAN_ACCESS_PERM and FAN_OPEN_EXEC_PERM: events the
// listener must answer before the open, read or exec goes on (or fails).
inline constexpr std::uint64_t kFanotifyPermissionEvents = 0x10000 | 0x20000 | 0x40000;

// Every mark line; other lines (pos, flags, the "fanotify flags:" header)
// are skipped, and so are mark lines without a mask.
std::vector<FanotifyMark> parse_fanotify_marks(std::string_view fdinfo);

}  // namespace fdscope::procfs
