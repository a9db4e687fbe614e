#include "why/fd_groups.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "collect/scan.hpp"

namespace fdscope::why {
namespace {

std::string group_of(const OpenFile& f, const SocketInfo* sock) {
    if (sock) {
        const bool connected = sock->remote_port != 0 || (sock->kind == Kind::Unix && sock->peer_inode != 0);
        if (connected && !sock->remote.empty()) return "-> " + sock->remote + " (" + std::string(sock->state) + ")";
        if (!sock->local.empty()) return sock->local + " (" + std::string(sock->state) + ")";
        return {};
    }
    switch (f.kind) {
        case Kind::File: case Kind::Dir: case Kind::Chr: case Kind::Blk: case Kind::Fifo: case Kind::Memfd:
            return std::string(f.name);
        default: return {};  // a pipe, an eventfd, an epoll fd: each is new
    }
}

}  // namespace

std::vector<Holder> group_fds(const Snapshot& snap, pid_t pid, std::size_t top) {
    std::map<std::pair<std::string, std::string>, std::uint64_t> groups;
    std::string comm;
    for (const auto& p : snap.processes) {
        if (p.pid != pid) continue;
        comm = p.comm;
        for (const auto& t : p.tables)
            for (const auto& f : t.fds) {
                auto it = is_socket(f.kind) ? snap.sockets.find(f.inode) : snap.sockets.end();
                const SocketInfo* sock = it == snap.sockets.end() ? nullptr : &it->second;
                ++groups[{std::string(kind_name(f.kind)), group_of(f, sock)}];
            }
    }
    std::vector<Holder> out;
    for (const auto& [key, n] : groups) {
        std::string note = std::to_string(n) + " " + key.first;
        if (!key.second.empty()) note += " " + key.second;
        out.push_back({pid, comm, -1, std::move(note), n});
    }
    std::stable_sort(out.begin(), out.end(), [](const Holder& a, const Holder& b) { return a.count > b.count; });
    if (out.size() > top) out.resize(top);
    return out;
}

std::vector<Holder> fd_groups_of(pid_t pid, std::size_t top) {
    collect::ScanOptions opts;
    opts.pids = std::vector<pid_t>{pid};
    opts.identity = false;
    opts.read.maps = false;
    opts.read.assocs = false;
    return group_fds(collect::scan(opts), pid, top);
}

std::vector<Holder> top_by_fds(const Snapshot& snap, std::size_t top) {
    std::vector<Holder> out;
    for (const auto& p : snap.processes) {
        const std::uint64_t n = p.fd_count();
        if (n) out.push_back({p.pid, p.comm, -1, std::to_string(n) + " fds", n});
    }
    std::stable_sort(out.begin(), out.end(), [](const Holder& a, const Holder& b) { return a.count > b.count; });
    if (out.size() > top) out.resize(top);
    return out;
}

std::vector<Holder> top_file_holders(std::size_t top) {
    collect::ScanOptions opts;
    opts.sockets = false;
    opts.identity = false;
    opts.read.count_only = true;
    opts.read.maps = false;
    opts.read.assocs = false;
    return top_by_fds(collect::scan(opts), top);
}

}  // namespace fdscope::why
