// One thing a process holds open: an fd, or a cwd/rtd/exe/mem/shm association.
#pragma once
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "model/kind.hpp"

namespace fdscope {

// Kind-specific lines of /proc/PID/fdinfo/N. Held out of line: most fds
// have none, and 200,000 fds must stay small.
struct InotifyWatch {
    std::int32_t wd = 0;
    std::uint64_t inode = 0;
    std::uint32_t sdev = 0;  // kernel-internal dev_t encoding, as fdinfo prints it
    std::uint32_t mask = 0;
};
struct EpollTarget {
    std::int32_t tfd = 0;
    std::uint32_t events = 0;
    std::uint64_t inode = 0;  // the target's inode (fdinfo "ino:", hex)
};
struct FdDetail {
    std::int64_t eventfd_count = -1;  // -1: not an eventfd / not shown
    std::int64_t eventfd_id = -1;
    std::vector<EpollTarget> epoll_targets;
    std::vector<InotifyWatch> inotify_watches;
    std::int64_t signalfd_mask = -1;  // "sigmask:" as a bit mask
    std::int32_t timerfd_clockid = -1;
    std::int32_t pidfd_pid = -2;  // -1 means the target process has exited
    std::uint64_t rdev = 0;       // chr/blk: the device (st_rdev)
    // UNIX sockets: fds sent to this socket (SCM_RIGHTS) and not received
    // yet, fdinfo's "scm_fds:"; -1 when not shown or none.
    std::int64_t scm_fds = -1;
    // io_uring: files registered with the ring (fdinfo "UserFiles:"); -1 when not shown or none.
    std::int64_t io_uring_files = -1;
};

// A mapping's range, for Assoc::Mem and Assoc::Shm rows.
struct MapRange {
    std::uint64_t start = 0, end = 0, offset = 0;
    char perms[5] = {'-', '-', '-', '-', 0};  // "r-xp" as in maps
};

inline constexpr std::uint32_t kNoDescription = 0xffffffffu;

struct OpenFile {
    std::string_view name;      // bytes as the kernel gave them (readlink / maps), "(deleted)" stripped;
                                // owned by the Process's NameStore. Empty for pipes and sockets
                                // read through fdinfo: use name_of(), which says "pipe:[N]".
    std::uint64_t inode = 0;
    std::uint64_t pos = 0;
    std::uint64_t dev = 0;      // makedev(major, minor) of st_dev
    std::uint64_t size = 0;     // st_size of regular files
    std::unique_ptr<FdDetail> detail;   // fdinfo extras, null when none
    std::unique_ptr<MapRange> range;    // mem/shm rows only
    std::int32_t fd = -1;       // -1 for non-fd associations
    std::uint32_t flags = 0;    // f_flags as fdinfo prints them (octal there), O_CLOEXEC included
    std::int32_t mnt_id = -1;
    std::uint32_t description = kNoDescription;  // opaque id, dense; kNoDescription when unknown
    Assoc assoc = Assoc::Fd;
    Kind kind = Kind::Unknown;
    Mode mode = Mode::None;
    bool cloexec = false;
    bool deleted = false;
    bool has_pos = false;       // fdinfo was read
    bool not_stated = false;    // on a network/FUSE mount: not stat'ed (a hung server would block),
                                // so size is unknown and the kind comes from the open flags
};

// The name readlink gives: `name`, or "pipe:[N]" / "socket:[N]" made from
// the inode for pipes and sockets that were never readlink'd (most of them:
// at 200,000 fds the saved bytes matter). `buf` holds a made-up name.
std::string_view name_of(const OpenFile& f, std::string& buf);

}  // namespace fdscope
