#include "collect/classify.hpp"

#include <sys/stat.h>

namespace fdscope::collect {

Kind kind_of_anon(std::string_view c) {
    // The kernel names some classes with brackets ("[io_uring]",
    // "[userfaultfd]", "[eventfd]" in older kernels); compare without them.
    if (c.size() >= 2 && c.front() == '[' && c.back() == ']') c = c.substr(1, c.size() - 2);
    if (c == "eventfd") return Kind::Eventfd;
    if (c == "eventpoll") return Kind::Epoll;
    if (c == "inotify") return Kind::Inotify;
    if (c == "fanotify") return Kind::Fanotify;
    if (c == "signalfd") return Kind::Signalfd;
    if (c == "timerfd") return Kind::Timerfd;
    if (c == "pidfd") return Kind::Pidfd;
    if (c == "io_uring") return Kind::IoUring;
    if (c == "bpf-map") return Kind::BpfMap;
    if (c == "bpf-prog") return Kind::BpfProg;
    if (c == "bpf_link" || c == "bpf-link") return Kind::BpfLink;
    if (c == "perf_event") return Kind::PerfEvent;
    if (c == "userfaultfd") return Kind::Userfaultfd;
    return Kind::Anon;
}

Kind classify(const procfs::LinkTarget& link, mode_t st_mode) {
    using T = procfs::LinkTarget::Type;
    switch (link.type) {
        case T::Socket: return Kind::Socket;  // refined from the socket tables later
        case T::Pipe: return Kind::Pipe;
        case T::AnonInode: return kind_of_anon(link.anon_class);
        case T::Other:
            // pidfs in some kernels links as "pidfd:[N]".
            if (link.path.starts_with("pidfd:")) return Kind::Pidfd;
            return Kind::Unknown;
        case T::Path: break;
    }
    if (link.path.starts_with("/memfd:")) return Kind::Memfd;
    switch (st_mode & S_IFMT) {
        case S_IFREG: return Kind::File;
        case S_IFDIR: return Kind::Dir;
        case S_IFCHR: return Kind::Chr;
        case S_IFBLK: return Kind::Blk;
        case S_IFIFO: return Kind::Fifo;
        case S_IFSOCK: return Kind::Socket;
    }
    return Kind::Unknown;
}

bool stat_may_block(std::string_view t) {
    if (t == "fuse" || t == "fuseblk" || t.starts_with("fuse.")) return true;  // fuse.sshfs, ...; not fusectl
    for (std::string_view remote : {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "ceph", "glusterfs", "afs",
                                    "lustre", "davfs", "ncpfs", "coda", "gfs2", "ocfs2", "virtiofs"})
        if (t == remote) return true;
    return false;
}

bool really_deleted(std::string_view path, bool marked_deleted, Kind kind) {
    if (!marked_deleted || kind == Kind::Memfd) return false;
    return !path.starts_with("/SYSV") && path != "/dev/zero";
}

PathName path_name(std::string_view path, bool marked, std::int64_t nlink, Kind kind, std::string& storage) {
    // The count only settles what the kernel marked: a filesystem may report
    // 0 links for a live file (some FUSE servers, a stale NFS inode).
    if (nlink == kLinksUnknown || nlink == 0 || !marked) return {path, really_deleted(path, marked, kind)};
    storage.assign(path);
    storage += " (deleted)";
    return {storage, false};
}

}  // namespace fdscope::collect
