// Hand-built model values for the report tests. OpenFile::name points into
// the owning Process's NameStore, so names are added through the process.
#pragma once
#include <string>
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

inline SocketInfo make_socket(Kind kind, std::string_view state, std::string local, std::string remote) {
    SocketInfo s;
    s.kind = kind;
    s.state = state;
    s.local = std::move(local);
    s.remote = std::move(remote);
    return s;
}

}  // namespace fdscope::report::testing
