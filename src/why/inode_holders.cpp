#include "why/inode_holders.hpp"

#include <unistd.h>

#include <algorithm>
#include <string>

#include "collect/read_process.hpp"
#include "collect/scan.hpp"

namespace fdscope::why {

Snapshot inode_inventory(const std::unordered_set<std::uint64_t>& inodes) {
    collect::FdFilter filter;
    filter.inodes = inodes;
    return filtered_inventory(filter);
}

Snapshot filtered_inventory(const collect::FdFilter& filter) {
    collect::ScanOptions opts;
    opts.sockets = false;
    opts.identity = false;
    opts.read.only = &filter;
    opts.read.details = false;
    opts.read.assocs = false;
    opts.read.maps = false;
    return collect::scan(opts);
}

std::vector<Holder> holders_of_inode(const Snapshot& inventory, std::uint64_t inode) {
    std::vector<Holder> out;
    std::vector<pid_t> parents;
    const pid_t self = ::getpid();
    for (const auto& p : inventory.processes) {
        if (p.pid == self) continue;
        for (const auto& t : p.tables)
            for (const auto& f : t.fds)
                if (f.inode == inode && (f.kind == Kind::Pipe || f.kind == Kind::Fifo || is_socket(f.kind) || f.kind == Kind::Unknown)) {
                    out.push_back({p.pid, p.comm, f.fd, "", 0});
                    parents.push_back(p.ppid);
                }
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        const pid_t ppid = parents[i];
        if (ppid > 0 && std::any_of(out.begin(), out.end(), [ppid](const Holder& h) { return h.pid == ppid; }))
            out[i].note = "inherited from " + std::to_string(ppid);
    }
    return out;
}

}  // namespace fdscope::why
