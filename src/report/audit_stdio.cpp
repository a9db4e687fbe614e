#include "report/audit_stdio.hpp"

#include <fcntl.h>
#include <fmt/format.h>

#include "report/describe.hpp"

namespace fdscope::report {
namespace {

constexpr const char* kStream[] = {"stdin", "stdout", "stderr"};

bool can_read(Mode m) { return m == Mode::Read || m == Mode::ReadWrite; }
bool can_write(Mode m) { return m == Mode::Write || m == Mode::ReadWrite; }

const SocketInfo* socket_of(const Snapshot& snap, const OpenFile& f) {
    if (!is_socket(f.kind)) return nullptr;
    auto it = snap.sockets.find(f.inode);
    return it == snap.sockets.end() ? nullptr : &it->second;
}

std::string_view opened(const OpenFile& f) {
    switch (f.mode) {
        case Mode::Read: return "read-only";
        case Mode::Write: return "write-only";
        case Mode::ReadWrite: return "read-write";
        case Mode::None: break;
    }
    return "with O_PATH (no reads or writes)";
}

// What the next read of stdin (n 0), or write to stdout or stderr, does
// with what took the number: the access mode decides, not the number.
std::string next_use(int n, const OpenFile& f, const SocketInfo* sock) {
    const char* stream = kStream[n];
    if (sock && sock->listening)
        return n == 0 ? "every read of stdin fails (ENOTCONN; EINVAL on a UNIX socket): a listening socket carries no "
                        "data"
                      : fmt::format("everything written to {} is lost: a listening socket carries no data (write "
                                    "fails with ENOTCONN, on TCP with EPIPE and SIGPIPE, which kills a process that "
                                    "does not ignore it), and every program it starts gets the listener as its {}",
                                    stream, stream);
    if (f.mode == Mode::None) return fmt::format("every {} fails with EBADF", n == 0 ? "read of stdin" : "write to " + std::string(stream));
    if (n == 0) {
        if (f.kind == Kind::Dir) return "every read of stdin fails with EISDIR";
        if (!can_read(f.mode)) return "every read of stdin fails with EBADF: it is not open for reading";
        return f.kind == Kind::File ? "the next read of stdin reads that file's contents" : "the next read of stdin reads from it";
    }
    if (!can_write(f.mode))
        return fmt::format("every printf or log line to {} fails with EBADF (it is not open for writing): that output is "
                           "lost without a word",
                           stream);
    if (f.kind == Kind::File)
        return (f.flags & O_APPEND)
                   ? fmt::format("every printf or log line to {} is appended to that file", stream)
                   : fmt::format("every printf or log line to {} is written into that file at its offset, over what "
                                 "is there",
                                 stream);
    return fmt::format("every printf or log line to {} is written to it", stream);
}

}  // namespace

bool is_terminal(const OpenFile& f) {
    return f.kind == Kind::Chr && (f.name.starts_with("/dev/pts/") || f.name.starts_with("/dev/tty") || f.name == "/dev/console");
}
bool is_dev_null(const OpenFile& f) { return f.kind == Kind::Chr && f.name == "/dev/null"; }

void find_stdio(const Snapshot& snap, const Process& p, std::vector<Finding>& out) {
    // Kernel threads (kthreadd and its children) have no std streams; a
    // table that could not be read tells nothing.
    if (p.tables.empty() || p.pid == 2 || p.ppid == 2) return;
    const FdTable& t = p.tables.front();
    if (t.fds.empty() && t.counted) return;
    for (int n = 0; n <= 2; ++n) {
        const OpenFile* f = nullptr;
        for (const OpenFile& x : t.fds)
            if (x.fd == n) f = &x;
        Finding x;
        x.kind = "stdio";
        x.severity = Severity::High;
        x.pid = p.pid;
        x.command = p.comm;
        x.fd = n;
        if (!f) {
            x.name = "(closed)";
            x.explain = fmt::format("fd {} ({}) is closed: the next open(), socket() or pipe() gets number {}, and {}.",
                                    n, kStream[n], n,
                                    n == 0 ? "whatever reads stdin reads from it"
                                           : fmt::format("whatever writes to {} writes into it", kStream[n]));
            x.fix = "never close fds 0-2: point them at /dev/null instead (open(\"/dev/null\", O_RDWR) and dup2 it "
                    "onto 0, 1 and 2, as daemon(3) does).";
            out.push_back(std::move(x));
            continue;
        }
        const SocketInfo* sock = socket_of(snap, *f);
        const bool listener = sock && sock->listening;
        // What a shell or a supervisor hands on: a terminal, /dev/null, a
        // pipe, a connection (inetd), a file redirected the way the stream
        // goes (< in, > and >> out). A listener is never a redirection.
        const bool handed_on = is_terminal(*f) || is_dev_null(*f) || f->kind == Kind::Pipe || f->kind == Kind::Fifo ||
                               (is_socket(f->kind) && !listener);
        const bool redirected = f->kind == Kind::File && (n == 0 ? can_read(f->mode) : f->mode == Mode::Write);
        if (handed_on || redirected) continue;
        // A read-write file on 1 or 2 may be a shell's <> redirection; more
        // often a database or log that an open() put on a closed number.
        const bool maybe_redirected = f->kind == Kind::File && n > 0 && f->mode == Mode::ReadWrite;
        if (maybe_redirected) x.severity = Severity::Medium;
        std::string made;
        x.name = sock ? display_name(*f, sock) : std::string(name_of(*f, made));
        x.port = sock ? sock->local_port : 0;
        x.description = f->description;
        const std::string what = listener ? fmt::format("the listening {} socket {}", kind_name(f->kind), x.name)
                                          : fmt::format("{} {} opened {}", kind_name(f->kind), x.name, opened(*f));
        x.explain = fmt::format("fd {} ({}) is {}: {} was {}closed and {} took its number; {}.", n, kStream[n], what,
                                kStream[n], maybe_redirected ? "probably " : "",
                                listener ? "socket()" : "an ordinary open()", next_use(n, *f, sock));
        if (maybe_redirected)
            x.explain += " (A shell's <> redirection opens read-write too: then it is deliberate.)";
        x.fix = listener ? "never close fds 0-2: point them at /dev/null (dup2) before creating sockets; hand a listener "
                           "to a child on fd 3 or above (as systemd's LISTEN_FDS does)."
                         : "never close fds 0-2: point them at /dev/null (dup2) before opening anything else.";
        out.push_back(std::move(x));
    }
}

}  // namespace fdscope::report
