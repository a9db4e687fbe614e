// A process (thread group) with its fd tables and associations.
#pragma once
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

#include "model/file.hpp"
#include "model/name_store.hpp"

namespace fdscope {

inline constexpr std::uint64_t kUnlimited = ~0ULL;

struct Limit {
    std::uint64_t soft = kUnlimited, hard = kUnlimited;
    bool known = false;
};

// One fd table. Threads that share the leader's table are not separate
// tables; a thread that unshared its table (unshare(CLONE_FILES)) has one.
struct FdTable {
    pid_t tid = 0;            // the task the table was read through
    bool leader = true;       // read through the thread-group leader
    std::vector<OpenFile> fds;
    std::uint64_t counted = 0;  // fd count when only counted (summary), fds left empty
};

// What the kernel refused to show of a process (EACCES, EPERM: another
// user's, or ptrace access denied by a policy); the rest is listed.
struct Refused {
    bool fds = false;        // its fd directory: no fds, at most their count
    bool fdinfo = false;     // fdinfo: fds without mode, flags, position or O_CLOEXEC
    std::uint32_t links = 0; // fds whose link could not be read either: known by number only
    bool assocs = false;     // with fdinfo: cwd, root and exe could not be read either
};

struct Process {
    pid_t pid = 0;            // tgid
    pid_t ppid = 0;
    uid_t uid = 0;            // real uid
    std::uint64_t start_time = 0;   // clock ticks since boot (stat field 22)
    std::uint64_t netns = 0;        // inode of /proc/PID/ns/net, 0 if unreadable
    std::uint64_t ipcns = 0;        // inode of /proc/PID/ns/ipc (read with maps: SysV shm ids are per namespace)
    std::string comm;
    Limit nofile;
    bool leader_exited = false;     // leader is a zombie, fds live on in a thread
    bool partial = false;           // only some fds were read (endpoint search); not a row source
    Refused refused;
    std::uint32_t threads = 1;
    std::vector<FdTable> tables;
    std::vector<OpenFile> assocs;   // cwd, rtd, exe, mem, shm
    NameStore names;                // the bytes every OpenFile::name above points into
    std::uint64_t fd_count() const {
        std::uint64_t n = 0;
        for (const auto& t : tables) n += t.fds.empty() ? t.counted : t.fds.size();
        return n;
    }
};

}  // namespace fdscope
