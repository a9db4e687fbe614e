#include "trace/reconcile.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "collect/scan.hpp"
#include "collect/sockets.hpp"
#include "netlink/sock_diag.hpp"
#include "report/describe.hpp"

namespace fdscope::trace {
namespace {

// The table of task `pid`: the one read through it when it unshared its
// own, else the leader's (threads share it).
const FdTable* table_of(const Process& p, pid_t pid) {
    const FdTable* leader = nullptr;
    for (const auto& t : p.tables) {
        if (t.tid == pid) return &t;
        if (t.leader && !leader) leader = &t;
    }
    return leader ? leader : (p.tables.empty() ? nullptr : &p.tables.front());
}

std::vector<Kind> socket_kinds(const Process& p) {
    std::vector<Kind> kinds;
    for (const auto& t : p.tables)
        for (const auto& f : t.fds)
            if (is_socket(f.kind) && std::find(kinds.begin(), kinds.end(), f.kind) == kinds.end()) kinds.push_back(f.kind);
    return kinds;
}

}  // namespace

std::vector<FdEvent> reconcile(pid_t pid, FdTableId table, std::uint64_t time_ns) {
    collect::ScanOptions opts;
    opts.pids = std::vector<pid_t>{pid};
    opts.identity = false;  // description ids compare fds across processes: not asked here
    opts.threads = 1;
    opts.read.assocs = false;
    opts.read.maps = false;
    // Not the inventory's sock_diag dump of every family of the namespace
    // (4 ms of CPU here even for one socket): the kind from sockfs's
    // protocol name, then only the process's own /proc/PID/net tables of
    // the kinds it holds. They name TCP, UDP, raw, UNIX, netlink and packet
    // sockets as the dump does; MPTCP has no table (its fds keep
    // "socket:[N]").
    opts.sockets = false;
    Snapshot snap = collect::scan(opts);
    if (snap.processes.empty()) return {};
    collect::apply_socket_kinds(snap);
    if (auto kinds = socket_kinds(snap.processes.front()); !kinds.empty())
        netlink::read_proc_net_tables(fmt::format("/proc/{}/net", snap.processes.front().pid), kinds,
                                      snap.processes.front().netns, snap.sockets);
    const Process& p = snap.processes.front();
    const FdTable* t = table_of(p, pid);
    if (!t || (p.refused.fds && t->fds.empty())) return {};

    std::vector<FdEvent> out;
    out.reserve(t->fds.size() + 1);
    FdEvent head;
    head.op = Op::Reconcile;
    head.time_ns = time_ns;
    head.pid = p.pid;
    head.tid = pid;
    head.table = table;
    out.push_back(head);
    for (const OpenFile& f : t->fds) {
        FdEvent e = head;
        e.op = Op::Present;
        e.fd = f.fd;
        e.kind = f.kind;
        // As `ls` names it: sockets with their addresses and state.
        auto sock = is_socket(f.kind) ? snap.sockets.find(f.inode) : snap.sockets.end();
        e.name = report::display_name(f, sock != snap.sockets.end() ? &sock->second : nullptr);
        e.cloexec = f.cloexec;
        e.flags = f.flags;
        out.push_back(std::move(e));
    }
    std::sort(out.begin() + 1, out.end(), [](const FdEvent& a, const FdEvent& b) { return a.fd < b.fd; });
    out.front().result = static_cast<std::int64_t>(out.size() - 1);
    return out;
}

}  // namespace fdscope::trace
