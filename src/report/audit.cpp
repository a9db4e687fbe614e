#include "report/audit.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <functional>
#include <sys/sysmacros.h>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "report/audit_stdio.hpp"
#include "report/describe.hpp"
#include "report/limit_fix.hpp"
#include "report/process_tree.hpp"

namespace fdscope::report {
namespace {

std::string_view exe_of(const Process& p) {
    for (const OpenFile& f : p.assocs)
        if (f.assoc == Assoc::Exe) return f.name;
    return {};
}

std::string who(const Process& p) { return fmt::format("pid {} ({})", p.pid, p.comm); }
std::string who_exe(const Process& p) {
    const std::string_view exe = exe_of(p);
    return exe.empty() ? who(p) : fmt::format("pid {} ({}, {})", p.pid, p.comm, exe);
}

struct Held {
    const Process* process;
    const OpenFile* file;
};

struct Tree {
    std::unordered_map<pid_t, const Process*> process;
    ParentMap parents;
};

// Where a holder's copy of a description came from. `file` is null when
// that process has closed its own copy since.
struct Source {
    const Process* process = nullptr;
    const OpenFile* file = nullptr;
};

// Nearest first, up to (not including) init.
std::vector<pid_t> ancestors(const Process& p, const Tree& tree) { return report::ancestors(p.pid, tree.parents); }

// The nearest ancestor of `p` among `held`'s processes.
Source nearest_ancestor(const Process& p, const std::vector<Held>& held, const Tree& tree) {
    for (pid_t up : ancestors(p, tree))
        for (const Held& o : held)
            if (o.process->pid == up) return {o.process, o.file};
    return {};
}

// When no ancestor of `h` holds the description any more: the nearest
// ancestor it shares with a holder outside its own subtree. The description
// was there when their lines parted (fork copies it to both), and that
// process has closed its copy since. Holders all in h's subtree make h the
// origin (it opened the description and forked): no source.
Source parted_from(const Held& h, const std::vector<Held>& held, const Tree& tree) {
    const std::vector<pid_t> mine = ancestors(*h.process, tree);
    std::size_t nearest = mine.size();
    for (const Held& o : held) {
        if (o.process == h.process) continue;
        const std::vector<pid_t> theirs = ancestors(*o.process, tree);
        if (std::find(theirs.begin(), theirs.end(), h.process->pid) != theirs.end()) continue;  // got it from h
        for (std::size_t i = 0; i < nearest; ++i)
            if (std::find(theirs.begin(), theirs.end(), mine[i]) != theirs.end()) {
                nearest = i;
                break;
            }
    }
    if (nearest == mine.size()) return {};
    return {tree.process.at(mine[nearest]), nullptr};
}

// Where h's copy came from: the nearest ancestor holding it, else the
// ancestor it parted from; a process without a known lineage (its parent
// gone, or init) is compared with the holders that started before it, and
// reported once: on the younger of the two.
Source source_of(const Held& h, const std::vector<Held>& held, const Tree& tree) {
    if (Source s = nearest_ancestor(*h.process, held, tree); s.process) return s;
    if (!ancestors(*h.process, tree).empty()) return parted_from(h, held, tree);
    const std::string_view exe = exe_of(*h.process);
    Source s;
    for (const Held& o : held)
        if (o.process != h.process && o.process->start_time <= h.process->start_time &&
            (o.process->start_time < h.process->start_time || o.process->pid < h.process->pid) &&
            exe_of(*o.process) != exe)
            s = {o.process, o.file};
    return s;
}

// Whether the description crossed an execve on its way from `from` to `h`:
// they run different programs.
bool crossed_exec(const Process& h, const Source& from) {
    if (!from.process) return false;
    const std::string_view exe = exe_of(h), origin = exe_of(*from.process);
    return !exe.empty() && !origin.empty() && exe != origin;
}

// The inherited finding for `h`, whose description came from `from`.
Finding inherited(const Snapshot& snap, const AuditOptions& opts, const Held& h, const Source& from,
                  const std::vector<Held>& all) {
    const OpenFile& f = *h.file;
    const SocketInfo* sock = nullptr;
    if (auto it = snap.sockets.find(f.inode); is_socket(f.kind) && it != snap.sockets.end()) sock = &it->second;
    Finding x;
    x.kind = "inherited";
    x.pid = h.process->pid;
    x.command = h.process->comm;
    x.fd = f.fd;
    x.description = f.description;
    x.name = display_name(f, sock);
    x.port = sock ? sock->local_port : 0;
    x.holders.push_back({from.process->pid, from.process->comm, from.file ? from.file->fd : -1});
    for (const Held& o : all)
        if (o.process != h.process && o.process != from.process) x.holders.push_back({o.process->pid, o.process->comm, o.file->fd});
    const std::string child = who_exe(*h.process), parent = who_exe(*from.process);
    if (sock && sock->listening) {
        x.severity = Severity::High;
        x.explain = fmt::format("{} holds the listening socket {} of {}: it keeps the port bound and can accept "
                                "connections meant for {}, also after {} exits.",
                                child, sock->local, parent, from.process->comm, from.process->comm);
        x.fix = "create the socket with SOCK_CLOEXEC (socket(..., SOCK_STREAM | SOCK_CLOEXEC, 0)), or mark every fd "
                "close-on-exec before exec: close_range(3, ~0U, CLOSE_RANGE_CLOEXEC).";
    } else if ((f.kind == Kind::Pipe || f.kind == Kind::Fifo) && (f.mode == Mode::Write || f.mode == Mode::ReadWrite)) {
        x.severity = Severity::High;
        x.explain = fmt::format("{} holds the write end of {} from {}: its reader never sees end-of-file while {} "
                                "lives.",
                                child, x.name, parent, h.process->comm);
        x.fix = "create the pipe with pipe2(fds, O_CLOEXEC) (FIFOs: open with O_CLOEXEC), or close it in the child "
                "before exec (posix_spawn_file_actions_addclose).";
    } else if (is_socket(f.kind)) {
        x.severity = Severity::Medium;
        x.explain = fmt::format("{} holds the connected socket {} of {}: when {} closes it, the peer does not see the "
                                "connection end while {} lives.",
                                child, x.name, parent, from.process->comm, h.process->comm);
        x.fix = "create it with SOCK_CLOEXEC, and accepted ones with accept4(fd, ..., SOCK_CLOEXEC); or "
                "close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) before exec.";
    } else if (f.kind == Kind::File) {
        const bool locked = opts.locked.count({f.dev, f.inode}) != 0;
        x.severity = locked ? Severity::High : Severity::Medium;
        x.explain = fmt::format("{} holds {} opened by {}: its disk space{} and {} stay held while {} lives.", child,
                                x.name, parent, f.deleted ? " (it is deleted: it cannot be freed)" : "",
                                locked ? "the lock held on it (another instance waiting for it never gets it)"
                                       : "any lock or lease on it",
                                h.process->comm);
        x.fix = "open it with O_CLOEXEC, or close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) before exec.";
    } else {
        x.severity = Severity::Low;  // a pipe's read end, an eventfd, ...: nothing waits for it to close
        x.explain = fmt::format("{} holds {} of {} across an exec.", child, x.name, parent);
        x.fix = "create it with its *_CLOEXEC flag (O_CLOEXEC, EFD_CLOEXEC, EPOLL_CLOEXEC, ...), or "
                "close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) before exec.";
    }
    if (!from.file) x.explain += fmt::format(" (pid {} has closed its own copy since.)", from.process->pid);
    return x;
}

void find_inherited(const Snapshot& snap, const AuditOptions& opts,
                    const Tree& tree, const std::function<bool(pid_t)>& in_scope, std::vector<Finding>& out) {
    std::set<std::pair<pid_t, std::int32_t>> reported;
    std::unordered_map<std::uint32_t, std::vector<Held>> by_desc;
    for (const Process& p : snap.processes)
        for (const FdTable& t : p.tables)
            for (const OpenFile& f : t.fds)
                if (f.description != kNoDescription) by_desc[f.description].push_back({&p, &f});
    for (auto& [desc, held] : by_desc) {
        if (held.size() < 2) continue;
        for (const Held& h : held) {
            if (!in_scope(h.process->pid) || h.process->partial) continue;
            const OpenFile& f = *h.file;
            // Handed on by design: the std streams, terminals, /dev/null.
            if (f.fd <= 2 || is_terminal(f) || is_dev_null(f)) continue;
            const Source from = source_of(h, held, tree);
            if (!crossed_exec(*h.process, from)) continue;
            reported.insert({h.process->pid, f.fd});
            out.push_back(inherited(snap, opts, h, from, held));
        }
    }
    // A pipe's write end held by an exec'd descendant of a process holding
    // the pipe's other end: the parent may have closed its own copy of the
    // write end, so no description is shared, yet its reader waits forever.
    std::unordered_map<std::uint64_t, std::vector<Held>> pipes;
    for (const Process& p : snap.processes)
        for (const FdTable& t : p.tables)
            for (const OpenFile& f : t.fds)
                if (f.kind == Kind::Pipe || f.kind == Kind::Fifo) pipes[f.inode].push_back({&p, &f});
    for (auto& [inode, held] : pipes) {
        for (const Held& h : held) {
            const OpenFile& f = *h.file;
            if (!in_scope(h.process->pid) || h.process->partial || f.fd <= 2) continue;
            if (f.mode != Mode::Write && f.mode != Mode::ReadWrite) continue;
            if (reported.count({h.process->pid, f.fd})) continue;
            const Source from = nearest_ancestor(*h.process, held, tree);
            if (!crossed_exec(*h.process, from)) continue;
            out.push_back(inherited(snap, opts, h, from, held));
        }
    }
}

void find_deleted(const Process& p, const AuditOptions& opts, std::vector<Finding>& out,
                  std::map<std::uint64_t, DeletedSpace>& space, std::unordered_set<std::uint32_t>& seen) {
    for (const FdTable& t : p.tables)
        for (const OpenFile& f : t.fds) {
            if (!f.deleted || f.kind != Kind::File) continue;
            // One description held through several fds or processes: once.
            if (f.description != kNoDescription && !seen.insert(f.description).second) continue;
            DeletedSpace& d = space[f.dev];
            d.dev = f.dev;
            d.bytes += f.size;
            ++d.files;
            Finding x;
            x.kind = "deleted";
            x.severity = f.size > opts.deleted_medium ? Severity::Medium : Severity::Low;
            x.pid = p.pid;
            x.command = p.comm;
            x.fd = f.fd;
            x.description = f.description;
            x.name = std::string(f.name);
            x.explain = fmt::format("{} was deleted but fd {} of {} keeps it open: its {} bytes stay allocated (df counts "
                                    "them, du does not) until the last holder closes it.",
                                    f.name, f.fd, who(p), f.size);
            x.fix = fmt::format("restart or signal {} so that it reopens its files (log rotation: copytruncate, or a "
                                "reopen signal); as a stopgap, truncate it through /proc/{}/fd/{}.",
                                p.comm, p.pid, f.fd);
            out.push_back(std::move(x));
        }
}

void find_near_limit(const Process& p, const AuditOptions& opts, std::uint64_t nr_open, std::vector<Finding>& out) {
    if (!p.nofile.known || p.nofile.soft == kUnlimited || p.nofile.soft == 0) return;
    const std::uint64_t fds = p.fd_count();
    const double percent = 100.0 * static_cast<double>(fds) / static_cast<double>(p.nofile.soft);
    if (percent < opts.near_percent) return;
    Finding x;
    x.kind = "near-limit";
    x.severity = percent >= opts.high_percent ? Severity::High : Severity::Medium;
    x.pid = p.pid;
    x.command = p.comm;
    x.name = fmt::format("{} of {} fds ({:.0f}%)", fds, p.nofile.soft, percent);
    x.explain = fmt::format("{} holds {} fds, {:.0f}% of its RLIMIT_NOFILE soft limit {}: at the limit every open(), "
                            "socket() and accept() fails with EMFILE.",
                            who(p), fds, percent, p.nofile.soft);
    x.fix = raise_nofile_fix(p.pid, p.nofile, nr_open);
    out.push_back(std::move(x));
}

void find_machine_limit(const Snapshot& snap, const AuditOptions& opts, std::vector<Finding>& out) {
    if (!snap.file_nr.max) return;
    const double percent = 100.0 * static_cast<double>(snap.file_nr.allocated) / static_cast<double>(snap.file_nr.max);
    if (percent < opts.near_percent) return;
    Finding x;
    x.kind = "near-limit";
    x.severity = percent >= opts.high_percent ? Severity::High : Severity::Medium;
    x.name = fmt::format("{} of {} handles ({:.0f}%)", snap.file_nr.allocated, snap.file_nr.max, percent);
    x.explain = fmt::format("the machine has {} of fs.file-max {} file handles allocated: at the limit every open() "
                            "on the machine fails with ENFILE.",
                            snap.file_nr.allocated, snap.file_nr.max);
    x.fix = "find where the handles went (fdscope account), or raise the limit: sysctl -w fs.file-max=N.";
    out.push_back(std::move(x));
}

void find_no_cloexec(const Process& p, std::vector<Finding>& out) {
    for (const FdTable& t : p.tables)
        for (const OpenFile& f : t.fds) {
            if (f.fd <= 2 || f.cloexec || !f.has_pos) continue;
            std::string made;
            Finding x;
            x.kind = "no-cloexec";
            x.severity = Severity::Low;
            x.pid = p.pid;
            x.command = p.comm;
            x.fd = f.fd;
            x.description = f.description;
            x.name = std::string(name_of(f, made));
            x.explain = fmt::format("fd {} ({}) of {}, which has children, lacks O_CLOEXEC: the next program it execs "
                                    "inherits it.",
                                    f.fd, x.name, who(p));
            x.fix = "open it with O_CLOEXEC (SOCK_CLOEXEC, pipe2(O_CLOEXEC), accept4(SOCK_CLOEXEC)), or "
                    "close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) before exec.";
            out.push_back(std::move(x));
        }
}

}  // namespace

std::string_view severity_name(Severity s) {
    switch (s) {
        case Severity::Low: return "low";
        case Severity::Medium: return "medium";
        case Severity::High: return "high";
    }
    return "low";
}

std::optional<Severity> severity_from_name(std::string_view s) {
    if (s == "low") return Severity::Low;
    if (s == "medium") return Severity::Medium;
    if (s == "high") return Severity::High;
    return std::nullopt;
}

Audit audit(const Snapshot& snap, const AuditOptions& opts) {
    Audit a;
    Tree tree{{}, parent_map(snap)};
    std::unordered_set<pid_t> parents;
    for (const Process& p : snap.processes) {
        tree.process[p.pid] = &p;
        parents.insert(p.ppid);
    }
    std::unordered_set<pid_t> scope;
    if (opts.scope) scope.insert(opts.scope->begin(), opts.scope->end());
    auto in_scope = [&](pid_t pid) { return !opts.scope || scope.count(pid) != 0; };

    find_inherited(snap, opts, tree, in_scope, a.findings);
    std::map<std::uint64_t, DeletedSpace> space;
    std::unordered_set<std::uint32_t> seen_deleted;
    for (const Process& p : snap.processes) {
        if (p.partial || !in_scope(p.pid)) continue;
        find_stdio(snap, p, a.findings);
        find_deleted(p, opts, a.findings, space, seen_deleted);
        find_near_limit(p, opts, snap.nr_open, a.findings);
        if (opts.strict && parents.count(p.pid)) find_no_cloexec(p, a.findings);
    }
    if (!opts.scope) find_machine_limit(snap, opts, a.findings);
    for (auto& [dev, d] : space) {
        for (const Mount& m : snap.mounts)
            if (makedev(m.major, m.minor) == dev) {
                d.mount_point = m.mount_point;
                break;
            }
        a.deleted.push_back(std::move(d));
    }
    std::stable_sort(a.findings.begin(), a.findings.end(), [](const Finding& x, const Finding& y) {
        if (x.severity != y.severity) return x.severity > y.severity;
        if (x.pid != y.pid) return x.pid < y.pid;
        return x.fd < y.fd;
    });
    return a;
}

}  // namespace fdscope::report
