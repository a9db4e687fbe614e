#include "why/address_holders.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <unordered_set>

#include "netlink/sock_diag.hpp"
#include "why/inode_holders.hpp"
#include "why/subject_sockets.hpp"

namespace fdscope::why {
namespace {

bool protocol_matches(Kind k, int protocol) {
    if (protocol == IPPROTO_UDP) return k == Kind::Udp || k == Kind::Udp6;
    return k == Kind::Tcp || k == Kind::Tcp6;
}

std::vector<SocketHolder> with_holders(const netlink::SocketMap& map, const std::vector<std::uint64_t>& inodes) {
    std::vector<SocketHolder> out;
    if (inodes.empty()) return out;
    const Snapshot inv = inode_inventory({inodes.begin(), inodes.end()});
    for (std::uint64_t ino : inodes) {
        const SocketInfo& s = map.at(ino);
        SocketHolder h;
        h.local = s.local;
        h.state = std::string(s.state);
        h.uid = s.uid;
        h.holders = holders_of_inode(inv, ino);
        out.push_back(std::move(h));
    }
    return out;
}

}  // namespace

std::vector<SocketHolder> inet_address_holders(const Subject& subject, const Operation& operation,
                                               std::vector<std::string>& unreadable) {
    const netlink::SocketMap map = subject_sockets(subject, unreadable);
    std::vector<std::uint64_t> inodes;
    for (const auto& [ino, s] : map)
        if (s.family != 0 && s.local_port == operation.port && protocol_matches(s.kind, operation.protocol))
            inodes.push_back(ino);
    std::sort(inodes.begin(), inodes.end());
    return with_holders(map, inodes);
}

std::vector<SocketHolder> unix_address_holders(const Subject& subject, FileId socket_file,
                                               std::vector<std::string>& unreadable) {
    const netlink::SocketMap map = subject_sockets(subject, unreadable);
    std::vector<std::uint64_t> inodes;
    for (const auto& [ino, s] : map)
        if (s.kind == Kind::Unix && s.vfs_ino == socket_file.ino && s.vfs_dev == socket_file.dev && s.vfs_ino != 0)
            inodes.push_back(ino);
    std::sort(inodes.begin(), inodes.end());
    return with_holders(map, inodes);
}

}  // namespace fdscope::why
