// Builds a Snapshot from procfs: which processes, read in parallel, then
// joined with the socket tables and given description identities.
#pragma once
#include <functional>
#include <optional>
#include <set>
#include <unordered_map>
#include <sys/types.h>
#include <vector>

#include "collect/read_process.hpp"
#include "model/snapshot.hpp"

namespace fdscope::collect {

struct ScanOptions {
    std::optional<std::vector<pid_t>> pids;  // nullopt: every process
    ReadOptions read;
    bool sockets = true;      // join sock_diag tables
    bool identity = true;     // description ids (kcmp)
    // With `pids` or a `keep` filter: also search the other processes' fd tables for the other
    // ends of the selected pipes, FIFOs, UNIX sockets and eventfds. Those
    // processes are added with Process::partial set and only matching fds.
    bool endpoints = false;
    unsigned threads = 0;     // 0: one per core
};

Snapshot scan(const ScanOptions& opts);

// The thread group (process) of each id: a thread id maps to its process.
std::vector<pid_t> thread_groups(const std::vector<pid_t>& ids);

// Every pid in /proc, ascending.
std::vector<pid_t> list_pids();

// Every process's parent, from /proc/PID/stat alone (one read each).
std::unordered_map<pid_t, pid_t> parent_pids();

// Kernel-wide counters: file-nr, file-max, nr_open.
void read_kernel_counters(Snapshot& snap);

// /proc/sys/fs/file-nr alone; nullopt when unreadable.
std::optional<FileNr> read_file_nr();

// The filp slab's active objects from /proc/slabinfo (root only; nullopt
// when unreadable or when SLUB merged the cache into another).
std::optional<std::uint64_t> read_filp_active();

// Files with a lock held on them, (st_dev, inode), from /proc/locks.
std::set<std::pair<std::uint64_t, std::uint64_t>> read_locked_files();

// Machine-wide tables: our mount namespace's mountinfo, /proc/sysvipc/shm.
void read_machine_tables(Snapshot& snap);

// mnt_id -> st_dev of mounts where stat may block (network, FUSE): fds
// there are not stat'ed (ReadOptions::no_stat).
std::unordered_map<std::int32_t, std::uint64_t> blocking_mounts(const std::vector<Mount>& mounts);

}  // namespace fdscope::collect
