// The BPF backend's scan: fills the same Snapshot as collect::scan (procfs)
// from the task_file and task_vma iterator records.
//
// What comes from the iterators: every fd table (deduplicated by the kernel's
// files_struct), every fd's flags, close-on-exec bit, mode, position, mnt_id,
// device, inode, size/rdev and path, its exact open file description (the
// struct file, mapped to dense ids as procfs identity numbers them), and
// every file-backed mapping (mem and shm rows).
// What still comes from /proc, per process: stat (comm, ppid, state, start
// time, threads), uid, RLIMIT_NOFILE, netns, cwd/rtd/exe; never the fd
// directories or maps. Sockets join through sock_diag as in procfs.
// Not read: fdinfo's per-kind details (eventfd count/id, epoll targets,
// inotify watches, signalfd mask, timerfd clock, pidfd pid).
#pragma once
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "model/snapshot.hpp"

namespace fdscope::bpf {

class Iterators;

// Loads the iterators, scans, unloads. False with `why` set (a sentence for
// the user) when the iterators cannot load or be read; `out` is then
// untouched. `pids`: keep only these processes (thread ids mean their
// process), as ScanOptions::pids; nullopt: every process.
bool scan_bpf(Snapshot& out, std::string& why, const std::optional<std::vector<pid_t>>& pids);

// The same with iterators already loaded (repeated scans: top/watch, timing).
bool scan_bpf(Iterators& it, Snapshot& out, std::string& why, const std::optional<std::vector<pid_t>>& pids);

}  // namespace fdscope::bpf
