#include "collect/scan.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unordered_map>
#include <unordered_set>

#include "collect/classify.hpp"
#include "collect/endpoint_search.hpp"
#include "collect/identity.hpp"
#include "collect/phase_timer.hpp"
#include "collect/scan_frame.hpp"
#include "collect/sockets.hpp"
#include "sys/parallel_for.hpp"
#include "sys/proc_io.hpp"
#include "procfs/parse_link.hpp"
#include "procfs/parse_locks.hpp"
#include "procfs/parse_mountinfo.hpp"
#include "procfs/parse_slabinfo.hpp"
#include "procfs/parse_stat.hpp"
#include "procfs/parse_status.hpp"
#include "procfs/parse_sysfs.hpp"
#include "procfs/parse_sysvipc_shm.hpp"

namespace fdscope::collect {

std::vector<pid_t> list_pids() {
    std::vector<std::int32_t> pids;
    int err = 0;
    sys::UniqueFd proc = sys::open_dir(AT_FDCWD, "/proc", err);
    if (proc) sys::list_numeric(proc.get(), pids);
    std::sort(pids.begin(), pids.end());
    return {pids.begin(), pids.end()};
}

std::unordered_map<pid_t, pid_t> parent_pids() {
    std::unordered_map<pid_t, pid_t> up;
    std::string text;
    for (pid_t pid : list_pids()) {
        const std::string path = "/proc/" + std::to_string(pid) + "/stat";
        if (sys::read_file_at(AT_FDCWD, path.c_str(), text, sys::ReadMode::SingleRecord) != 0) continue;
        if (auto st = procfs::parse_stat(text)) up[pid] = st->ppid;
    }
    return up;
}

std::optional<FileNr> read_file_nr() {
    std::string text;
    if (sys::read_file_at(AT_FDCWD, "/proc/sys/fs/file-nr", text, sys::ReadMode::SingleRecord) != 0) return std::nullopt;
    return procfs::parse_file_nr(text);
}

void read_kernel_counters(Snapshot& snap) {
    std::string text;
    if (auto nr = read_file_nr()) snap.file_nr = *nr;
    if (sys::read_file_at(AT_FDCWD, "/proc/sys/fs/nr_open", text, sys::ReadMode::SingleRecord) == 0)
        if (auto v = procfs::parse_u64(text)) snap.nr_open = *v;
}

std::set<std::pair<std::uint64_t, std::uint64_t>> read_locked_files() {
    std::set<std::pair<std::uint64_t, std::uint64_t>> out;
    std::string text;
    if (sys::read_file_at(AT_FDCWD, "/proc/locks", text, sys::ReadMode::Stream) != 0) return out;
    for (const auto& l : procfs::parse_locks(text)) out.emplace(makedev(l.major, l.minor), l.inode);
    return out;
}

std::optional<std::uint64_t> read_filp_active() {
    std::string text;
    if (sys::read_file_at(AT_FDCWD, "/proc/slabinfo", text, sys::ReadMode::Stream) != 0) return std::nullopt;
    return procfs::parse_slab_active(text, "filp");
}

void read_machine_tables(Snapshot& snap) {
    std::string text;
    if (sys::read_file_at(AT_FDCWD, "/proc/self/mountinfo", text, sys::ReadMode::Stream) == 0)
        snap.mounts = procfs::parse_mountinfo(text);
    if (sys::read_file_at(AT_FDCWD, "/proc/sysvipc/shm", text, sys::ReadMode::Stream) == 0)
        snap.shm = procfs::parse_sysvipc_shm(text);
    if (sys::readlink_at(AT_FDCWD, "/proc/self/ns/ipc", text) == 0) snap.ipcns = procfs::parse_link(text).inode;
}

std::unordered_map<std::int32_t, std::uint64_t> blocking_mounts(const std::vector<Mount>& mounts) {
    std::unordered_map<std::int32_t, std::uint64_t> no_stat;
    for (const auto& m : mounts)
        if (stat_may_block(m.fstype)) no_stat.emplace(m.id, makedev(m.major, m.minor));
    return no_stat;
}

std::vector<pid_t> thread_groups(const std::vector<pid_t>& ids) {
    // /proc/TID exists for every thread too; a tid asked for means its process.
    std::vector<pid_t> out;
    std::string text;
    for (pid_t id : ids) {
        std::string path = "/proc/" + std::to_string(id) + "/status";
        if (sys::read_file_at(AT_FDCWD, path.c_str(), text, sys::ReadMode::SingleRecord) == 0)
            if (auto st = procfs::parse_status(text); st && st->tgid > 0) {
                out.push_back(st->tgid);
                continue;
            }
        out.push_back(id);  // gone or unreadable: the read reports it
    }
    return out;
}

Snapshot scan(const ScanOptions& opts) {
    PhaseTimer timer;
    Snapshot snap;
    ScanFrame frame = begin_scan(opts, snap);
    const std::vector<pid_t>& pids = frame.pids;
    const PseudoMounts pm = learn_pseudo_mounts();
    if (pm.pipefs.mnt_id < -1 || pm.sockfs.mnt_id < -1)
        snap.notes.emplace_back("pipes and sockets are read with readlink: their pseudo-filesystem mount was not learned");
    // Mounts where stat may hang (NFS, FUSE, ...): their fds are not stat'ed.
    const auto no_stat = blocking_mounts(snap.mounts);
    ReadOptions read = opts.read;
    if (!no_stat.empty()) read.no_stat = &no_stat;

    const unsigned threads = sys::worker_count(opts.threads);
    std::vector<Process> slots(pids.size());
    std::vector<ReadResult> results(pids.size(), ReadResult::Vanished);
    std::vector<Scratch> scratch(threads);
    std::vector<FdSkips> skips(threads);
    sys::parallel_for(pids.size(), threads, [&](std::size_t i, unsigned w) {
        results[i] = read_process(frame.proc.get(), pids[i], read, pm, scratch[w], slots[i], skips[w]);
    });
    timer.mark("processes");
    snap.processes.reserve(pids.size());
    for (std::size_t i = 0; i < pids.size(); ++i)
        if (keep_process(results[i], snap)) snap.processes.push_back(std::move(slots[i]));
    add_fd_skips(snap, skips);
    if (!no_stat.empty()) {
        std::uint64_t n = 0;
        for (const auto& p : snap.processes)
            for (const auto& t : p.tables)
                for (const auto& f : t.fds) n += f.not_stated;
        if (n)
            snap.notes.push_back(std::to_string(n) +
                                 " fds on network or FUSE mounts were not stat'ed (a hung server would block the scan): "
                                 "their size is unknown and file/dir comes from the open flags");
    }
    // Identity needs every fd, including those the endpoint search adds, and
    // the search needs the socket tables (UNIX peers). Without a search,
    // identity runs first so its scratch memory is gone before the socket
    // tables arrive: the two never add up in the peak.
    const bool search = opts.endpoints && (opts.pids || opts.read.keep);
    if (opts.identity && !search) {
        assign_descriptions(snap, threads);
        timer.mark("identity");
    }
    if (opts.sockets) read_socket_tables(snap);
    timer.mark("sockets");
    if (search) {
        search_endpoints(snap, frame.proc.get(), pm, threads);
        timer.mark("endpoints");
    }
    if (opts.sockets) apply_socket_kinds(snap);
    if (opts.identity && search) {
        assign_descriptions(snap, threads);
        timer.mark("identity");
    }
    return snap;
}

}  // namespace fdscope::collect
