#include "why/holders.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>

#include "collect/scan.hpp"

namespace fdscope::why {
namespace {

bool is(const OpenFile& f, FileId id) { return f.dev == id.dev && f.inode == id.ino; }

template <class Visit>
void each_fd(const Process& p, Visit&& visit) {
    for (const auto& t : p.tables)
        for (const auto& f : t.fds) visit(f);
}

}  // namespace

Snapshot file_inventory() {
    collect::ScanOptions opts;
    opts.sockets = false;
    opts.identity = false;
    opts.read.details = false;
    return collect::scan(opts);
}

std::vector<Holder> executing_holders(const Snapshot& inventory, FileId file) {
    std::vector<Holder> out;
    const pid_t self = ::getpid();
    for (const auto& p : inventory.processes) {
        if (p.pid == self) continue;
        const OpenFile* exe = nullptr;
        const OpenFile* mapped = nullptr;
        for (const auto& a : p.assocs) {
            if (!is(a, file)) continue;
            if (a.assoc == Assoc::Exe) exe = &a;
            if (a.assoc == Assoc::Mem && a.range && a.range->perms[2] == 'x') mapped = &a;
        }
        if (exe)
            out.push_back({p.pid, p.comm, -1, "executing", 0});
        else if (mapped)
            out.push_back({p.pid, p.comm, -1, "maps it executable", 0});
    }
    return out;
}

std::vector<Holder> write_holders(const Snapshot& inventory, FileId file) {
    std::vector<Holder> out;
    const pid_t self = ::getpid();
    for (const auto& p : inventory.processes) {
        if (p.pid == self) continue;
        each_fd(p, [&](const OpenFile& f) {
            if (!is(f, file) || !f.has_pos) return;
            const std::uint32_t acc = f.flags & O_ACCMODE;
            if (acc == O_WRONLY) out.push_back({p.pid, p.comm, f.fd, "open for write (O_WRONLY)", 0});
            if (acc == O_RDWR) out.push_back({p.pid, p.comm, f.fd, "open for write (O_RDWR)", 0});
        });
    }
    return out;
}

std::vector<DeletedOpen> deleted_open_on(const Snapshot& inventory, std::uint64_t dev) {
    std::map<std::uint64_t, DeletedOpen> by_inode;
    for (const auto& p : inventory.processes) {
        auto take = [&](const OpenFile& f) {
            if (!f.deleted || f.dev != dev || f.inode == 0) return;
            if (f.assoc != Assoc::Fd && f.assoc != Assoc::Mem) return;
            DeletedOpen& d = by_inode[f.inode];
            if (d.path.empty()) d.path = std::string(f.name);
            d.size = std::max(d.size, f.size);
            // One row per process and fd; a process mapping it many times counts once.
            const int fd = f.assoc == Assoc::Fd ? f.fd : -1;
            for (const auto& h : d.holders)
                if (h.pid == p.pid && h.fd == fd) return;
            d.holders.push_back({p.pid, p.comm, fd, f.assoc == Assoc::Fd ? "open" : "mapped", 0});
        };
        each_fd(p, take);
        for (const auto& a : p.assocs) take(a);
    }
    std::vector<DeletedOpen> out;
    out.reserve(by_inode.size());
    for (auto& [ino, d] : by_inode) out.push_back(std::move(d));
    std::stable_sort(out.begin(), out.end(), [](const DeletedOpen& a, const DeletedOpen& b) { return a.size > b.size; });
    return out;
}

}  // namespace fdscope::why
