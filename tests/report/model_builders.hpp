// Hand-built model values for the report tests. OpenFile::name points into
// the owning Process's NameStore, so names are added through the process.
#pragma once
#include <charconv>
#include <string>
#include <sys/socket.h>
#include <string_view>
#include <utility>

#include "model/snapshot.hpp"

namespace fdscope::report::testing {

inline Process make_process(pid_t pid, std::string comm, uid_t uid = 1000) {
    Process p;
    p.pid = pid;
    p.ppid = 1;
    p.uid = uid;
    p.comm = std::move(comm);
    return p;
}

inline OpenFile make_file(Process& owner, int fd, Kind kind, std::string_view name = {}, std::uint64_t inode = 0,
                          Mode mode = Mode::Read) {
    OpenFile f;
    f.fd = fd;
    f.kind = kind;
    f.name = owner.names.add(name);
    f.inode = inode;
    f.mode = mode;
    f.assoc = Assoc::Fd;
    return f;
}

inline OpenFile make_assoc(Process& owner, Assoc a, std::string_view name, Kind kind = Kind::Dir) {
    OpenFile f;
    f.fd = -1;
    f.assoc = a;
    f.kind = kind;
    f.name = owner.names.add(name);
    return f;
}

// Adds a table read through `tid` and returns it.
inline FdTable& add_table(Process& p, pid_t tid, bool leader) {
    FdTable t;
    t.tid = tid;
    t.leader = leader;
    p.tables.push_back(std::move(t));
    return p.tables.back();
}

// The port of "1.2.3.4:80" / "[::1]:22" as the netlink readers give it
// beside the text; 0 for anything else.
inline std::uint16_t port_of(std::string_view addr) {
    const auto colon = addr.rfind(':');
    if (colon == std::string_view::npos) return 0;
    unsigned port = 0;
    const auto tail = addr.substr(colon + 1);
    const auto [end, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), port);
    return ec == std::errc() && end == tail.data() + tail.size() && port <= 65535 ? static_cast<std::uint16_t>(port) : 0;
}

inline SocketInfo make_socket(Kind kind, std::string_view state, std::string local, std::string remote) {
    SocketInfo s;
    s.kind = kind;
    s.state = state;
    s.local = std::move(local);
    s.remote = std::move(remote);
    switch (kind) {
        case Kind::Tcp: case Kind::Udp: case Kind::Raw: s.family = AF_INET; break;
        case Kind::Tcp6: case Kind::Udp6: case Kind::Raw6: s.family = AF_INET6; break;
        default: return s;
    }
    s.local_port = port_of(s.local);
    s.remote_port = port_of(s.remote);
    return s;
}

}  // namespace fdscope::report::testing
