#include "why/address_holders.hpp"

#include <fcntl.h>
#include <netinet/in.h>

#include <cerrno>

#include <algorithm>
#include <unordered_set>

#include "netlink/proc_net.hpp"
#include "netlink/sock_diag.hpp"
#include "sys/errno_text.hpp"
#include "sys/proc_io.hpp"
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

// TIME-WAIT connections on `port` in the subject's namespace: they hold no
// inode and no process, only /proc/PID/net/tcp{,6} (the namespace of PID)
// lists them.
std::vector<SocketHolder> time_wait_on(const Subject& subject, std::uint16_t port, std::vector<std::string>& unreadable) {
    std::vector<SocketHolder> out;
    const std::string base = subject.kind == SubjectKind::Process && subject.pid > 0
                                 ? "/proc/" + std::to_string(subject.pid) + "/net/"
                                 : std::string("/proc/thread-self/net/");
    std::string text;
    for (auto [table, kind] : {std::pair{"tcp", Kind::Tcp}, std::pair{"tcp6", Kind::Tcp6}}) {
        if (int err = sys::read_file_at(AT_FDCWD, (base + table).c_str(), text, sys::ReadMode::Stream)) {
            if (err != ENOENT || kind == Kind::Tcp) unreadable.push_back(base + table + ": " + sys::errno_text(err));
            continue;
        }
        for (const auto& s : netlink::parse_proc_net_time_wait(text, kind)) {
            if (s.local_port != port) continue;
            SocketHolder h;
            h.local = s.local;
            h.state = std::string(s.state);
            out.push_back(std::move(h));
        }
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
    std::vector<SocketHolder> out = with_holders(map, inodes);
    if (operation.protocol != IPPROTO_UDP)
        for (auto& tw : time_wait_on(subject, operation.port, unreadable)) out.push_back(std::move(tw));
    return out;
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
