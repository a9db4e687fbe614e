#include "why/fd_facts.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include "procfs/parse_fdinfo.hpp"
#include "procfs/parse_link.hpp"
#include "sys/errno_text.hpp"
#include "sys/proc_io.hpp"
#include "sys/remote_fd.hpp"
#include "why/inode_holders.hpp"
#include "why/subject_sockets.hpp"

namespace fdscope::why {
namespace {

Inode inode_of(const struct stat& st, std::int32_t mount_id) {
    Inode i;
    i.mode = st.st_mode;
    i.uid = st.st_uid;
    i.gid = st.st_gid;
    i.dev = st.st_dev;
    i.ino = st.st_ino;
    i.rdev = st.st_rdev;
    i.size = static_cast<std::uint64_t>(st.st_size);
    i.nlink = static_cast<std::uint32_t>(st.st_nlink);
    i.mount_id = mount_id;
    return i;
}

// A pipe or FIFO: does some fd (anyone's, the subject's own included) hold
// the other direction? Readers for a write end, writers for a read end.
FdFacts::PeerState pipe_peer(const Inode& inode, std::uint32_t flags, bool anonymous) {
    collect::FdFilter filter;
    if (anonymous)
        filter.inodes.insert(inode.ino);
    else
        filter.fifos.insert({inode.dev, inode.ino});
    const Snapshot inv = filtered_inventory(filter);
    const std::uint32_t mine = flags & O_ACCMODE;
    const pid_t self = ::getpid();
    for (const auto& p : inv.processes) {
        if (p.pid == self) continue;
        for (const auto& t : p.tables)
            for (const auto& f : t.fds) {
                if (f.inode != inode.ino || !f.has_pos) continue;
                const std::uint32_t acc = f.flags & O_ACCMODE;
                if (acc == O_RDWR) return FdFacts::PeerState::Open;
                if (mine == O_WRONLY && acc == O_RDONLY) return FdFacts::PeerState::Open;
                if (mine == O_RDONLY && acc == O_WRONLY) return FdFacts::PeerState::Open;
            }
    }
    return FdFacts::PeerState::Closed;
}

void socket_peer(const Subject& subject, std::uint64_t ino, FdFacts& out, std::vector<std::string>& unreadable) {
    const netlink::SocketMap map = subject_sockets(subject, unreadable);
    auto it = map.find(ino);
    if (it == map.end()) {
        // Never bound nor connected (TCP/UDP), or a family no table lists.
        out.socket_connected = false;
        out.peer = FdFacts::PeerState::Unknown;
        return;
    }
    const SocketInfo& s = it->second;
    if (s.listening) {
        out.socket_connected = false;
        out.peer = FdFacts::PeerState::NotApplicable;
        return;
    }
    if (s.kind == Kind::Unix) {
        // A peer that closed is released: our socket stays ESTAB but names
        // no peer inode any more (or one gone from the table).
        out.socket_connected = s.peer_inode != 0 || s.state == "ESTAB";
        if (!out.socket_connected)
            out.peer = FdFacts::PeerState::NotApplicable;
        else
            out.peer = s.peer_inode != 0 && map.count(s.peer_inode) ? FdFacts::PeerState::Open : FdFacts::PeerState::Closed;
        return;
    }
    if (s.family == 0) {
        out.peer = FdFacts::PeerState::Unknown;
        return;
    }
    if (s.type == SOCK_STREAM) {
        if (s.remote_port == 0) {  // bound or fresh, never connected
            out.socket_connected = false;
            out.peer = FdFacts::PeerState::NotApplicable;
            return;
        }
        if (s.state == "ESTAB") {
            out.peer = FdFacts::PeerState::Open;
        } else if (s.state == "CLOSE-WAIT" || s.state == "CLOSE" || s.state == "LAST-ACK" || s.state == "CLOSING" ||
                   s.state == "TIME-WAIT") {
            out.peer = FdFacts::PeerState::Closed;
        } else if (s.state == "SYN-SENT" || s.state == "SYN-RECV") {
            out.socket_connected = false;
            out.peer = FdFacts::PeerState::Unknown;
        } else {
            out.peer = FdFacts::PeerState::Unknown;
        }
        return;
    }
    // Datagram: connected when it has a remote address; no peer state to know.
    out.socket_connected = s.remote_port != 0;
    out.peer = FdFacts::PeerState::Unknown;
}

}  // namespace

FdFacts read_fd_facts(const Subject& subject, int fd, std::vector<std::string>& unreadable) {
    FdFacts out;
    const std::string base = "/proc/" + std::to_string(subject.pid);
    const std::string num = std::to_string(fd);
    std::string text;
    int err = sys::read_file_at(AT_FDCWD, (base + "/fdinfo/" + num).c_str(), text, sys::ReadMode::SingleRecord);
    if (err == ENOENT) return out;  // no such fd (or no such process: the subject facts say which)
    if (err) {
        unreadable.push_back(base + "/fdinfo/" + num + ": " + sys::errno_text(err));
    } else if (auto info = procfs::parse_fdinfo(text)) {
        out.exists = true;
        out.flags = info->flags;
        out.mount_id = info->mnt_id;
    }
    if ((err = sys::readlink_at(AT_FDCWD, (base + "/fd/" + num).c_str(), out.target)) == 0) {
        out.exists = true;
    } else if (err == ENOENT) {
        out.exists = false;
        return out;
    } else {
        unreadable.push_back(base + "/fd/" + num + ": " + sys::errno_text(err));
    }
    {
        sys::UniqueFd copy = sys::copy_fd_of(subject.pid, fd, err);
        struct stat st {};
        if (!copy) {
            unreadable.push_back("pidfd_getfd of fd " + num + ": " + sys::errno_text(err));
        } else if (::fstat(copy.get(), &st) != 0) {
            unreadable.push_back("fstat of fd " + num + ": " + sys::errno_text(errno));
        } else {
            out.inode = inode_of(st, out.mount_id);
        }
    }  // the copy is closed before the holders are looked for: it must not count as one
    if (!out.inode) {
        out.peer = FdFacts::PeerState::Unknown;
        return out;
    }
    const auto link = procfs::parse_link(out.target);
    if (S_ISFIFO(out.inode->mode)) {
        out.peer = pipe_peer(*out.inode, out.flags, link.type == procfs::LinkTarget::Type::Pipe);
    } else if (S_ISSOCK(out.inode->mode)) {
        socket_peer(subject, link.type == procfs::LinkTarget::Type::Socket ? link.inode : out.inode->ino, out,
                    unreadable);
    } else {
        out.peer = FdFacts::PeerState::NotApplicable;
    }
    return out;
}

}  // namespace fdscope::why
