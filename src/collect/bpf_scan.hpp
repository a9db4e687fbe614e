// The BPF backend's scan: fills the same Snapshot as collect::scan (procfs)
// from the task_file and task_vma iterator records (src/bpf/).
//
// What comes from the iterators: every fd table (deduplicated by the kernel's
// files_struct), every fd's flags, close-on-exec bit, mode, position, mnt_id,
// device, inode, size/rdev and path, its exact open file description (the
// struct file, mapped to dense ids as procfs identity numbers them), and
// every file-backed mapping (mem and shm rows), every task's table (empty
// unshared tables too) and RLIMIT_NOFILE.
// What still comes from /proc, per process: stat (comm, ppid, state, start
// time, threads), uid, netns, cwd/rtd/exe; never the fd
// directories or maps. Sockets join through sock_diag as in procfs.
// fdinfo's per-kind details (eventfd count/id, epoll targets, inotify
// watches, signalfd mask, timerfd clock, pidfd pid) are read from
// /proc/PID/task/TID/fdinfo/N for those few fds, checked against the inode.
//
// A build without the BPF backend (FDSCOPE_BPF=OFF, or its tools missing)
// compiles bpf_scan_none.cpp instead of bpf_scan.cpp: the same first
// scan_bpf, which says why it cannot run, and no libbpf to link.
#pragma once
#include <string>

#include "collect/scan.hpp"
#include "model/snapshot.hpp"

namespace fdscope::bpf {
class Iterators;
struct LoadOptions;
}  // namespace fdscope::bpf

namespace fdscope::collect {

// Whether this binary was built with the BPF backend.
bool bpf_built();

// Loads the iterators, scans, unloads. False with `why` set (a sentence for
// the user) when the iterators cannot load or be read; `out` is then
// untouched. `opts` as for collect::scan: the same selection (pids, keep),
// the same parts (fdinfo details, assocs, maps, sockets, count_only) and the
// same endpoint search; identity is always exact and costs nothing.
bool scan_bpf(const ScanOptions& opts, Snapshot& out, std::string& why);

// The same with iterators already loaded (repeated scans: top/watch, timing).
// Only in builds with the BPF backend.
bool scan_bpf(bpf::Iterators& it, const ScanOptions& opts, Snapshot& out, std::string& why);

// The load options a scan with `opts` needs (count_only reads no paths).
// Only in builds with the BPF backend.
bpf::LoadOptions load_options_for(const ScanOptions& opts);

}  // namespace fdscope::collect
