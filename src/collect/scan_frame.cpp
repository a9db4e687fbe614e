#include "collect/scan_frame.hpp"

#include <algorithm>
#include <fcntl.h>

#include "sys/clock.hpp"
#include "sys/proc_io.hpp"

namespace fdscope::collect {

ScanFrame begin_scan(const ScanOptions& opts, Snapshot& snap) {
    snap.time = sys::unix_now();
    read_kernel_counters(snap);
    read_machine_tables(snap);
    ScanFrame frame;
    frame.pids = opts.pids ? thread_groups(*opts.pids) : list_pids();
    std::sort(frame.pids.begin(), frame.pids.end());
    frame.pids.erase(std::unique(frame.pids.begin(), frame.pids.end()), frame.pids.end());
    int err = 0;
    frame.proc = sys::open_dir(AT_FDCWD, "/proc", err);
    return frame;
}

bool keep_process(ReadResult result, Snapshot& snap) {
    switch (result) {
        case ReadResult::Vanished: ++snap.skipped_processes.vanished; return false;
        case ReadResult::Filtered: return false;
        case ReadResult::Permission: ++snap.skipped_processes.permission; return true;
        case ReadResult::Ok: return true;
    }
    return false;
}

}  // namespace fdscope::collect
