#include "collect/sockets.hpp"

#include <string>
#include <sys/xattr.h>
#include <unordered_map>

#include "netlink/sock_diag.hpp"

namespace fdscope::collect {
namespace {

// The protocol name sockfs reports for any socket, including ones no diag
// table lists (AF_ALG, AF_VSOCK, sockets of families without a diag module).
Kind kind_from_protoname(pid_t tid, int fd) {
    std::string path = "/proc/" + std::to_string(tid) + "/fd/" + std::to_string(fd);
    char name[64];
    ssize_t n = ::getxattr(path.c_str(), "system.sockprotoname", name, sizeof name - 1);
    if (n <= 0) return Kind::Socket;
    std::string_view p(name, static_cast<std::size_t>(n));
    if (!p.empty() && p.back() == '\0') p.remove_suffix(1);
    if (p == "TCP") return Kind::Tcp;
    if (p == "TCPv6") return Kind::Tcp6;
    if (p == "UDP" || p == "UDP-Lite") return Kind::Udp;
    if (p == "UDPv6" || p == "UDPLITEv6") return Kind::Udp6;
    if (p == "RAW" || p == "PING") return Kind::Raw;
    if (p == "RAWv6" || p == "PINGv6") return Kind::Raw6;
    if (p == "UNIX" || p == "UNIX-STREAM" || p == "UNIX-DGRAM") return Kind::Unix;
    if (p == "NETLINK") return Kind::Netlink;
    if (p == "PACKET") return Kind::Packet;
    return Kind::Socket;
}

}  // namespace

void read_socket_tables(Snapshot& snap) {
    std::unordered_map<std::uint64_t, pid_t> seen;
    std::vector<netlink::NetnsRef> namespaces;
    for (const auto& p : snap.processes)
        if (p.netns != 0 && seen.try_emplace(p.netns, p.pid).second)
            namespaces.push_back({p.netns, p.pid});
    netlink::DiagReport report;
    snap.sockets = netlink::collect_sockets(namespaces, report);
    for (auto& n : report.notes) snap.notes.push_back("sockets: " + n);
}

void apply_socket_kinds(Snapshot& snap) {
    for (auto& p : snap.processes)
        for (auto& t : p.tables)
            for (auto& f : t.fds)
                if (f.kind == Kind::Socket) {
                    if (auto it = snap.sockets.find(f.inode); it != snap.sockets.end()) f.kind = it->second.kind;
                    else f.kind = kind_from_protoname(t.tid, f.fd);
                }
}

}  // namespace fdscope::collect
