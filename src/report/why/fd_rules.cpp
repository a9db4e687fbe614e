// Read and write on an existing fd (fs/read_write.c): the fd must be open
// and not O_PATH (fdget ignores those: EBADF), opened for the access
// (EBADF); a pipe or socket needs its other end (EPIPE and SIGPIPE) and a
// stream socket a connection (ENOTCONN); then, for a file, what the write
// itself meets: a superblock that went read-only, quota, space,
// RLIMIT_FSIZE (generic_write_check_limits: SIGXFSZ and EFBIG at the
// limit), and the cgroup's I/O notes. Seccomp runs before all of it
// (seccomp_checks).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <fmt/format.h>

#include "report/why/cgroup_rules.hpp"
#include "report/why/layers.hpp"
#include "report/why/process_text.hpp"
#include "report/why/quota_rules.hpp"
#include "report/why/space_rules.hpp"

namespace fdscope::report::why {
namespace {

using fdscope::why::FdFacts;
using fdscope::why::Op;

Check fd_check(const Facts& facts, Result result, std::string detail) {
    Check c;
    c.layer = Layer::Fd;
    c.path = fmt::format("fd {}", facts.operation.fd);
    c.result = result;
    c.detail = std::move(detail);
    return c;
}

Check fail(Check c, int error, std::string explain, std::string fix) {
    c.result = Result::Fail;
    c.error = error;
    c.explain = std::move(explain);
    c.fix = std::move(fix);
    return c;
}

std::string_view access_name(std::uint32_t flags) {
    switch (flags & O_ACCMODE) {
    case O_RDONLY: return "O_RDONLY";
    case O_WRONLY: return "O_WRONLY";
    default: return "O_RDWR";
    }
}

std::uint32_t file_type(const FdFacts& fd) { return fd.inode ? fd.inode->mode & S_IFMT : 0; }

// The fd itself: open, not O_PATH, the right access mode. Returns the
// failing check, if any.
std::optional<Check> descriptor(const Facts& facts, std::string& passed) {
    const auto& fd = facts.fd;
    const bool write = facts.operation.op == Op::Write;
    const std::string who = subject_text(facts.subject);
    if (!fd.exists)
        return fail(fd_check(facts, Result::Fail, fmt::format("fd {} is not open in {}", facts.operation.fd, who)),
                    EBADF, fmt::format("{} has no fd {}", who, facts.operation.fd),
                    "use an fd the process has open (fdscope ls -p PID lists them)");
    passed = fmt::format("fd {} -> {} ({}{})", facts.operation.fd, fd.target, access_name(fd.flags),
                         fd.flags & O_APPEND ? "|O_APPEND" : "");
    if (fd.flags & O_PATH)
        return fail(fd_check(facts, Result::Fail, fmt::format("fd {} -> {} was opened with O_PATH", facts.operation.fd, fd.target)),
                    EBADF, "an O_PATH fd only names a file: it cannot be read or written",
                    "open the file itself (openat(fd, \"\", ...) or /proc/self/fd/N without O_PATH)");
    const std::uint32_t acc = fd.flags & O_ACCMODE;
    if ((write && acc == O_RDONLY) || (!write && acc == O_WRONLY)) {
        const std::string mode{access_name(fd.flags)};
        return fail(fd_check(facts, Result::Fail, fmt::format("fd {} -> {} was opened {}", facts.operation.fd, fd.target, mode)),
                    EBADF,
                    fmt::format("the fd was opened {}: {} on it is EBADF; an fd's access mode never changes", mode,
                                write ? "write" : "read"),
                    fmt::format("open the file {} (O_RDWR, or {})", write ? "for writing" : "for reading",
                                write ? "O_WRONLY" : "O_RDONLY"));
    }
    return std::nullopt;
}

// Pipes and sockets: the other end.
std::optional<Check> channel(const Facts& facts, const std::string& passed) {
    const auto& fd = facts.fd;
    const std::uint32_t type = file_type(fd);
    const bool pipe = type == S_IFIFO, socket = type == S_IFSOCK;
    if (!pipe && !socket) return std::nullopt;
    const bool write = facts.operation.op == Op::Write;
    if (socket && !fd.socket_connected)
        return fail(fd_check(facts, Result::Fail, passed + ": socket not connected"), ENOTCONN,
                    "the socket is not connected: connect() it first (an unconnected datagram socket needs sendto())",
                    "connect the socket before writing or reading");
    using PeerState = FdFacts::PeerState;
    if (fd.peer == PeerState::Unknown) {
        Check c = fd_check(facts, Result::Unknown, passed + ": who holds the other end is not known");
        c.explain = "whether the other end is still open is not known";
        return c;
    }
    if (fd.peer != PeerState::Closed) return std::nullopt;
    const std::string_view end = pipe ? "read end" : "peer";
    if (!write) {
        Check c = fd_check(facts, Result::Note, fmt::format("{}: the {} is closed", passed, pipe ? "write end" : "peer"));
        c.explain = "the other end is closed: a read returns what is buffered, then 0 (end of file)";
        return c;
    }
    return fail(fd_check(facts, Result::Fail, fmt::format("{}: the {} is closed", passed, end)), EPIPE,
                fmt::format("no process has the {} open: the write raises SIGPIPE, which kills the process unless it "
                            "ignores or handles the signal; then it returns EPIPE",
                            end),
                "start the reader before the writer and keep it open, or ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)) "
                "and handle EPIPE");
}

Check mount_now(const Facts& facts) {
    Check c;
    c.layer = Layer::Mount;
    c.path = facts.fd.target;
    const auto* m = fdscope::why::find_mount(facts, facts.fd.mount_id);
    if (!m) {
        c.result = Result::Unknown;
        c.detail = fmt::format("mount {} of the fd not found", facts.fd.mount_id);
        c.explain = "whether its filesystem is still writable is not known";
        return c;
    }
    c.detail = fmt::format("mount {} {} ({}) {}, superblock {}", m->id, m->mount_point, m->fstype, m->ro ? "ro" : "rw",
                           m->super_ro ? "ro" : "rw");
    // A per-mount ro cannot be set while the mount has writers (EBUSY), and
    // vfs_write does not look at it; a superblock gone read-only under an
    // open file (errors=remount-ro, an emergency remount) refuses writes.
    if (m->super_ro) {
        c.result = Result::Fail;
        c.error = EROFS;
        c.explain = fmt::format("the filesystem of {} ({}) is read-only now; the fd was opened while it was "
                                "writable (an error remount: dmesg says why)",
                                m->mount_point, m->source);
        c.fix = fmt::format("find why it went read-only (dmesg), repair it (fsck), then mount -o remount,rw {}",
                            m->mount_point);
    }
    return c;
}

Check file_size_limit(const Facts& facts) {
    const auto& s = facts.subject;
    const auto& fd = facts.fd;
    Check c;
    c.layer = Layer::Limit;
    c.path = fd.target;
    if (!s.limits.known) {
        c.result = Result::Unknown;
        c.detail = "RLIMIT_FSIZE not read";
        c.explain = "whether the file may grow is not known";
        return c;
    }
    const std::uint64_t limit = s.limits.fsize_soft;
    // Where the write lands: the end with O_APPEND, else the file offset.
    const bool at_end = (fd.flags & O_APPEND) || !fd.pos;
    const std::uint64_t pos = at_end ? fd.inode->size : *fd.pos;
    c.detail = fmt::format("RLIMIT_FSIZE {}; the write starts at {} ({})", limit_text(limit), grouped(pos),
                           fd.flags & O_APPEND ? "O_APPEND: the end" : fd.pos ? "the offset" : "the size; offset unknown");
    if (limit == fdscope::why::Limits::kUnlimited || pos < limit) return c;
    c.result = Result::Fail;
    c.error = EFBIG;
    c.explain = fmt::format("the write would start at {} bytes, at or past RLIMIT_FSIZE {}: the kernel sends SIGXFSZ "
                            "(which kills the process unless handled) and the write returns EFBIG",
                            grouped(pos), grouped(limit));
    const std::string unit = unit_of(s.cgroup);
    c.fix = fmt::format("raise the file size limit: prlimit --pid {} --fsize=unlimited{}", s.pid,
                        unit.empty() ? std::string() : " (LimitFSIZE=infinity in " + unit + ")");
    return c;
}

}  // namespace

std::vector<Check> fd_checks(const Facts& facts) {
    const Op op = facts.operation.op;
    if (op != Op::Read && op != Op::Write) return {};
    std::string passed;
    if (auto c = descriptor(facts, passed)) return {*c};
    std::vector<Check> checks;
    if (auto c = channel(facts, passed)) {
        checks.push_back(*c);
        if (c->result == Result::Fail) return checks;
    } else {
        checks.push_back(fd_check(facts, Result::Pass, passed));
    }
    const std::uint32_t type = file_type(facts.fd);
    if (type == S_IFDIR && op == Op::Read) {
        checks.push_back(fail(fd_check(facts, Result::Fail, passed + ": a directory"), EISDIR,
                              "read() of a directory is EISDIR: its entries are read with getdents64 (readdir)",
                              "list it with readdir()/getdents64"));
        return checks;
    }
    if (type == S_IFREG && op == Op::Write) {
        checks.push_back(mount_now(facts));
        const auto& inode = *facts.fd.inode;
        // Blocks a write allocates are charged to the file's owner.
        Allocation a;
        a.block = true;
        a.uid = inode.uid;
        a.gid = inode.gid;
        const std::int32_t mount = facts.fd.mount_id;
        for (auto& q : quota_checks(facts, mount, facts.fd.target, a)) checks.push_back(std::move(q));
        checks.push_back(space_check(facts, mount, facts.fd.target, a));
        checks.push_back(file_size_limit(facts));
    }
    if (type == S_IFREG || type == S_IFBLK)
        for (auto& n : cgroup_io_notes(facts)) checks.push_back(std::move(n));
    return checks;
}

}  // namespace fdscope::report::why
