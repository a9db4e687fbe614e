// `fdscope account`: where every kernel file handle went. Each handle (an
// open file description, a struct file) counted once, under what keeps it
// alive: fd tables, memory mappings alone, SysV shm attaches, SCM_RIGHTS
// messages not received yet; the remainder is kernel-internal.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/snapshot.hpp"

namespace fdscope::report {

struct AccountProcess {
    pid_t pid = 0;
    std::string comm;
    std::uint64_t fds = 0;
    std::uint64_t descriptions = 0;  // distinct open file descriptions its fds reach
    std::uint64_t mappings = 0;      // handles only its mappings keep (no fd on the machine has them)
    std::uint64_t sysv_shm = 0;      // SysV shm attaches (each shmat() is a handle)
    std::uint64_t in_flight = 0;     // fds queued to UNIX sockets it holds (SCM_RIGHTS, not received)
    std::uint64_t io_uring = 0;      // files registered with its io_uring rings
    std::uint64_t handles = 0;       // descriptions + mappings + sysv_shm
    bool unreadable = false;         // fds counted, not readable: each counted as its own handle
};

struct AccountSegment {
    std::int64_t key = 0, shmid = 0;
    std::uint64_t size = 0;
    std::uint64_t nattch = 0;        // the kernel's attach count (/proc/sysvipc/shm)
    std::uint64_t attaches = 0;      // attach handles found in the mappings
    std::vector<pid_t> pids;         // attaching processes
};

// A figure procfs can only bound: [low, high] and the value used.
struct Range {
    std::uint64_t low = 0, estimate = 0, high = 0;
};

struct HeldBy {
    std::uint64_t fd_tables = 0, mappings = 0, sysv_shm = 0, in_flight = 0, io_uring = 0, unattributed = 0;
    std::uint64_t over = 0;  // attributed beyond `allocated` (file-nr is a per-cpu sum read at another moment)
};

struct Account {
    std::string backend;
    bool exact = false;               // BPF identity, every fd table readable: `inexact` is empty
    FileNr file_nr;
    std::uint64_t nr_open = 0;
    std::optional<std::uint64_t> filp_active;  // the filp slab's active objects, when readable
    std::uint64_t fds = 0, descriptions = 0;
    std::uint64_t unreadable_fds = 0;  // in tables that could not be read
    std::uint64_t unreadable_handles = 0;  // counted for them: one each at most, at most what file-nr leaves
    std::string unreadable_why;            // why fds may be unreadable, and the remedy
    std::uint64_t shm_segment_files = 0;  // one kernel file per existing segment (in sysv_shm)
    HeldBy held_by;
    Range mappings_range;             // procfs: the mapping-only handles' bounds; BPF: all three equal
    std::string mappings_derivation;  // how the range was derived (procfs)
    std::vector<AccountProcess> processes;  // the gap's explainers first, then by handles held
    std::vector<AccountSegment> segments;
    std::string verdict;              // one plain sentence
    std::vector<std::string> inexact; // why it is not exact (empty: exact)
};

// as_root: fdscope ran as root, so unreadable fds are not other users' but
// refused to root too (ptrace rules, another user namespace, an LSM).
Account account(const Snapshot& snap, std::optional<std::uint64_t> filp_active, bool as_root);

}  // namespace fdscope::report
