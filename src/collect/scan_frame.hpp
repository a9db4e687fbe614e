// What the procfs scan and the BPF scan share around their own reading:
// the snapshot's time stamp, kernel counters and machine tables, the pids
// to read, /proc, and how a process read counts in the skip totals.
#pragma once
#include <sys/types.h>
#include <vector>

#include "collect/read_process.hpp"
#include "collect/scan.hpp"
#include "model/snapshot.hpp"
#include "sys/unique_fd.hpp"

namespace fdscope::collect {

struct ScanFrame {
    std::vector<pid_t> pids;  // the processes to read: ascending, each once, thread ids as their process
    sys::UniqueFd proc;       // /proc (invalid if it cannot be opened: every read then fails)
};

// Stamps `snap` with the time, the kernel counters and the machine tables
// (mounts, SysV segments, IPC namespace), and lists what `opts` selects.
ScanFrame begin_scan(const ScanOptions& opts, Snapshot& snap);

// Counts a process read in snap.skipped_processes; true when the process
// is kept (read, or refused but listed with what was readable).
bool keep_process(ReadResult result, Snapshot& snap);

}  // namespace fdscope::collect
