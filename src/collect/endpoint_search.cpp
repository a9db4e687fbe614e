#include "collect/endpoint_search.hpp"

#include <algorithm>
#include <unordered_set>

#include "collect/read_process.hpp"
#include "collect/scan.hpp"
#include "sys/parallel_for.hpp"

namespace fdscope::collect {

void add_endpoints_of(const Process& p, const std::unordered_map<std::uint64_t, SocketInfo>& sockets, FdFilter& filter) {
    for (const auto& t : p.tables)
        for (const auto& f : t.fds) {
            if (f.kind == Kind::Pipe) filter.inodes.insert(f.inode);
            else if (f.kind == Kind::Fifo) filter.fifos.emplace(f.dev, f.inode);
            else if (f.kind == Kind::Eventfd && f.detail && f.detail->eventfd_id >= 0)
                filter.eventfd_ids.insert(f.detail->eventfd_id);
            else if (f.kind == Kind::Socket || f.kind == Kind::Unix) {
                // The same socket held elsewhere (inherited), and a UNIX peer.
                filter.inodes.insert(f.inode);
                if (auto it = sockets.find(f.inode); it != sockets.end() && it->second.peer_inode)
                    filter.inodes.insert(it->second.peer_inode);
            }
        }
}

FdFilter endpoint_filter(const Snapshot& snap) {
    FdFilter filter;
    for (const auto& p : snap.processes) add_endpoints_of(p, snap.sockets, filter);
    return filter;
}

void search_endpoints(Snapshot& snap, int proc_dirfd, const PseudoMounts& pm, unsigned threads) {
    const FdFilter filter = endpoint_filter(snap);
    std::unordered_set<pid_t> selected;
    for (const auto& p : snap.processes) selected.insert(p.pid);
    if (filter.inodes.empty() && filter.fifos.empty() && filter.eventfd_ids.empty()) return;
    std::vector<pid_t> others;
    for (pid_t pid : list_pids())
        if (!selected.count(pid)) others.push_back(pid);
    ReadOptions opts;
    opts.only = &filter;
    opts.assocs = false;
    opts.maps = false;
    std::vector<Process> found(others.size());
    std::vector<Scratch> scratch(threads ? threads : 1);
    std::vector<FdSkips> skips(scratch.size());
    sys::parallel_for(others.size(), static_cast<unsigned>(scratch.size()), [&](std::size_t i, unsigned w) {
        if (read_process(proc_dirfd, others[i], opts, pm, scratch[w], found[i], skips[w]) != ReadResult::Ok)
            found[i].tables.clear();
    });
    add_fd_skips(snap, skips);
    for (auto& p : found) {
        bool any = false;
        for (const auto& t : p.tables) any = any || !t.fds.empty();
        if (!any) continue;
        p.partial = true;
        snap.processes.push_back(std::move(p));
    }
    std::sort(snap.processes.begin(), snap.processes.end(),
              [](const Process& a, const Process& b) { return a.pid < b.pid; });
}

}  // namespace fdscope::collect
