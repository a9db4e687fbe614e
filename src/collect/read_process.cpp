#include "collect/read_process.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "collect/classify.hpp"
#include "sys/kcmp.hpp"
#include "sys/proc_io.hpp"
#include "sys/proc_path.hpp"
#include "procfs/parse_fdinfo.hpp"
#include "procfs/parse_limits.hpp"
#include "procfs/parse_link.hpp"
#include "procfs/parse_maps.hpp"
#include "procfs/parse_stat.hpp"
#include "procfs/text.hpp"

namespace fdscope::collect {
namespace {

// Fills dev/inode/kind from a stat of the link's target.
void apply_stat(const struct stat& st, OpenFile& f) {
    f.dev = st.st_dev;
    f.inode = st.st_ino;
    if (S_ISREG(st.st_mode)) f.size = static_cast<std::uint64_t>(st.st_size);
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
        if (!f.detail) f.detail = std::make_unique<FdDetail>();
        f.detail->rdev = st.st_rdev;
    }
}

const PseudoMount* pseudo_for(const PseudoMounts& pm, std::int32_t mnt_id) {
    for (const PseudoMount* m : {&pm.pipefs, &pm.sockfs, &pm.anon_inodefs, &pm.pidfs})
        if (m->mnt_id == mnt_id) return m;
    return nullptr;
}

// One fd: fdinfo first (it names pipes and sockets without readlink), then
// readlink and stat only where they add something. What is refused is left
// out and said in `refused`: an fd whose link cannot be read either is
// still an fd (NumberOnly: its number, kind unknown), as lsof lists it.
enum class FdRead { Ok, NumberOnly, Vanished, Permission };
FdRead read_fd(int fd_dir, int info_dir, std::int32_t fd, const ReadOptions& opts,
               const PseudoMounts& pm, Scratch& s, NameStore& names, OpenFile& f, Refused& refused) {
    sys::ProcPath name(fd);
    f.fd = fd;
    f.assoc = Assoc::Fd;
    const PseudoMount* pseudo = nullptr;
    int info_err = 0;  // why fdinfo was not read, when it was asked for
    if (opts.fdinfo) {
        info_err = info_dir >= 0 ? sys::read_file_at(info_dir, name.text, s.text, sys::ReadMode::SingleRecord) : EACCES;
        if (sys::gone(info_err)) return FdRead::Vanished;
        if (info_err && !opts.list_refused) return FdRead::Permission;
        if (info_err) refused.fdinfo = true;
    }
    if (opts.fdinfo && !info_err) {
        if (auto info = procfs::parse_fdinfo(s.text)) {
            f.pos = info->pos;
            f.flags = info->flags;
            f.cloexec = (info->flags & O_CLOEXEC) != 0;
            f.mode = mode_from_flags(info->flags);
            f.mnt_id = info->mnt_id;
            f.has_pos = true;
            if (info->has_ino) f.inode = info->ino;
            if (info->has_detail) f.detail = std::make_unique<FdDetail>(std::move(info->detail));
            pseudo = pseudo_for(pm, info->mnt_id);
            if (pseudo && info->has_ino) {
                f.dev = pseudo->dev;
                if (pseudo == &pm.sockfs) {
                    f.kind = Kind::Socket;  // name left empty: name_of() makes "socket:[N]"
                    return FdRead::Ok;
                }
                if (pseudo == &pm.pipefs) {
                    f.kind = Kind::Pipe;
                    return FdRead::Ok;
                }
            }
        }
    }
    int err = sys::readlink_at(fd_dir, name.text, s.link);
    if (err && sys::gone(err)) return FdRead::Vanished;
    if (err) return info_err ? FdRead::NumberOnly : FdRead::Permission;
    auto link = procfs::parse_link(s.link);
    struct stat st {};
    bool have_stat = false;
    // On a mount where stat may hang, trust fdinfo and the mount table.
    if (opts.no_stat && link.type == procfs::LinkTarget::Type::Path && f.has_pos && f.inode != 0)
        if (auto m = opts.no_stat->find(f.mnt_id); m != opts.no_stat->end()) {
            f.dev = m->second;
            f.kind = (f.flags & O_DIRECTORY) ? Kind::Dir : Kind::File;
            f.not_stated = true;
            f.name = names.add(link.path);
            f.deleted = really_deleted(link.path, link.deleted, f.kind);
            return FdRead::Ok;
        }
    // Pseudo-filesystem files need no stat: dev is known, inode came from fdinfo.
    if (link.type == procfs::LinkTarget::Type::Path || !pseudo || f.inode == 0) {
        if (::fstatat(fd_dir, name.text, &st, 0) == 0) {
            have_stat = true;
            apply_stat(st, f);
        } else if (sys::gone(errno)) {
            return FdRead::Vanished;
        }
    }
    f.kind = classify(link, have_stat ? st.st_mode : 0);
    if (link.type == procfs::LinkTarget::Type::Path) {
        const auto n = path_name(link.path, link.deleted, have_stat ? static_cast<std::int64_t>(st.st_nlink) : kLinksUnknown,
                                 f.kind, s.name);
        f.name = names.add(n.name);
        f.deleted = n.deleted;
    } else {
        f.name = names.add(s.link);
        if (f.inode == 0) f.inode = link.inode;
    }
    if (!opts.fdinfo) f.mode = Mode::None;
    return FdRead::Ok;
}

ReadResult count_table(int pid_dir, const std::string& base, Scratch& s, FdTable& table) {
    std::string path = base + "fd";
    if (fd_dir_size_is_count()) {
        struct stat st {};
        if (::fstatat(pid_dir, path.c_str(), &st, 0) != 0) return sys::gone(errno) ? ReadResult::Vanished : ReadResult::Permission;
        table.counted = static_cast<std::uint64_t>(st.st_size);
        return ReadResult::Ok;
    }
    int err = 0;
    sys::UniqueFd fd_dir = sys::open_dir(pid_dir, path.c_str(), err);
    if (!fd_dir) return sys::gone(err) ? ReadResult::Vanished : ReadResult::Permission;
    s.numbers.clear();
    if ((err = sys::list_numeric(fd_dir.get(), s.numbers)) != 0) return sys::gone(err) ? ReadResult::Vanished : ReadResult::Permission;
    table.counted = s.numbers.size();
    return ReadResult::Ok;
}

// Reads every fd of one table (task dir `base`: "" for the leader, "task/TID/").
ReadResult read_table(int pid_dir, const std::string& base, const ReadOptions& opts, const PseudoMounts& pm,
                      Scratch& s, NameStore& names, FdTable& table, FdSkips& skips, Refused& refused) {
    if (opts.count_only) return count_table(pid_dir, base, s, table);
    int err = 0;
    sys::UniqueFd fd_dir = sys::open_dir(pid_dir, (base + "fd").c_str(), err);
    if (!fd_dir) return sys::gone(err) ? ReadResult::Vanished : ReadResult::Permission;
    sys::UniqueFd info_dir;
    if (opts.fdinfo) {
        // A refused fdinfo (ptrace access denied while the fd directory is
        // listable) still leaves the fds and maybe their links: with
        // list_refused, read those.
        info_dir = sys::open_dir(pid_dir, (base + "fdinfo").c_str(), err);
        if (!info_dir && sys::gone(err)) return ReadResult::Vanished;
        if (!info_dir && !opts.list_refused) return ReadResult::Permission;
    }
    s.numbers.clear();
    err = sys::list_numeric(fd_dir.get(), s.numbers);
    if (err) return sys::gone(err) ? ReadResult::Vanished : ReadResult::Permission;
    std::sort(s.numbers.begin(), s.numbers.end());
    std::vector<std::int32_t> fds(s.numbers);  // s.numbers is reused below
    table.fds.reserve(fds.size());
    for (std::int32_t fd : fds) {
        if (opts.only) {
            sys::ProcPath name(fd);
            if (sys::readlink_at(fd_dir.get(), name.text, s.link) != 0) continue;
            auto verdict = opts.only->matches_link(s.link);
            if (verdict == FdFilter::Verdict::No) continue;
            struct stat st {};
            if (verdict == FdFilter::Verdict::IfFifo &&
                (::fstatat(fd_dir.get(), name.text, &st, 0) != 0 || !S_ISFIFO(st.st_mode) ||
                 !opts.only->fifos.count({st.st_dev, st.st_ino})))
                continue;
        }
        OpenFile f;
        switch (read_fd(fd_dir.get(), info_dir.get(), fd, opts, pm, s, names, f, refused)) {
            case FdRead::NumberOnly:
                ++refused.links;
                if (!opts.only) table.fds.push_back(std::move(f));
                break;
            case FdRead::Ok:
                if (!opts.only || opts.only->keeps(f)) table.fds.push_back(std::move(f));
                break;
            case FdRead::Vanished: ++skips.vanished; break;
            case FdRead::Permission: ++skips.permission; break;
        }
    }
    return ReadResult::Ok;
}

// Tasks that hold a distinct fd table: the leader (when alive) and every
// thread whose files_struct differs from all tables found so far. Threads
// sharing a table are represented by the first (lowest) tid seen.
std::vector<pid_t> table_holders(int pid_dir, pid_t pid, bool leader_alive, Scratch& s) {
    std::vector<pid_t> holders;
    int err = 0;
    sys::UniqueFd task_dir = sys::open_dir(pid_dir, "task", err);
    s.numbers.clear();
    if (!task_dir || sys::list_numeric(task_dir.get(), s.numbers) != 0) {
        if (leader_alive) holders.push_back(pid);
        return holders;
    }
    std::sort(s.numbers.begin(), s.numbers.end());
    if (leader_alive) holders.push_back(pid);
    for (pid_t tid : s.numbers) {
        if (tid == pid) continue;
        bool shared = false;
        for (pid_t h : holders) {
            sys::KcmpResult r = sys::kcmp_fd_tables(h, tid);
            // Without kcmp we cannot tell tables apart; assume sharing, the
            // overwhelmingly common case, rather than list fds twice.
            if (r == sys::KcmpResult::Equal || r == sys::KcmpResult::Denied) {
                shared = true;
                break;
            }
        }
        if (!shared) holders.push_back(tid);
    }
    return holders;
}

// The link count of a mapping's file through map_files/ (readable with
// CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE), kLinksUnknown when refused.
std::int64_t map_links(int pid_dir, std::uint64_t start, std::uint64_t end) {
    struct stat st {};
    if (::fstatat(pid_dir, map_files_name(start, end).c_str(), &st, 0) != 0) return kLinksUnknown;
    return static_cast<std::int64_t>(st.st_nlink);
}

// maps writes a newline in a name as "\012" and leaves a backslash as is,
// so "a\012b" may be either name: map_files/ tells (root only); else the
// newline, the likelier one.
std::string_view map_name(int pid_dir, const procfs::MapEntry& m, std::string& buf) {
    constexpr std::string_view kNewline = "\\012";
    if (m.path.find(kNewline) == std::string_view::npos) return m.path;
    if (sys::readlink_at(pid_dir, map_files_name(m.start, m.end).c_str(), buf) == 0) {
        std::string_view v = buf;
        procfs::text::strip_deleted(v);
        buf.resize(v.size());
        return buf;
    }
    buf.clear();
    for (std::size_t i = 0; i < m.path.size();) {
        if (m.path.substr(i).starts_with(kNewline)) {
            buf += '\n';
            i += kNewline.size();
        } else {
            buf += m.path[i++];
        }
    }
    return buf;
}

void read_maps(int pid_dir, Scratch& s, Process& p) {
    if (sys::read_file_at(pid_dir, "maps", s.text, sys::ReadMode::Stream) != 0) return;
    procfs::parse_maps(s.text, [&](const procfs::MapEntry& m) {
        if (m.inode == 0 || m.path.empty() || m.path.front() != '/') return;
        OpenFile f;
        bool sysv = m.path.starts_with("/SYSV");
        f.assoc = sysv ? Assoc::Shm : Assoc::Mem;
        f.kind = m.path.starts_with("/memfd:") ? Kind::Memfd : Kind::File;
        // maps has no link count: for the rare mapping marked deleted, the
        // inode behind map_files/ tells (root only; else the mark decides).
        std::string unescaped;
        const auto n = path_name(map_name(pid_dir, m, unescaped), m.deleted,
                                 m.deleted ? map_links(pid_dir, m.start, m.end) : kLinksUnknown, f.kind, s.name);
        f.name = p.names.add(n.name);
        f.deleted = n.deleted;
        f.inode = m.inode;
        f.dev = makedev(m.major, m.minor);
        f.mode = m.perms[1] == 'w' ? (m.perms[0] == 'r' ? Mode::ReadWrite : Mode::Write)
                                   : (m.perms[0] == 'r' ? Mode::Read : Mode::None);
        f.range = std::make_unique<MapRange>();
        f.range->start = m.start;
        f.range->end = m.end;
        f.range->offset = m.offset;
        std::copy(m.perms, m.perms + 5, f.range->perms);
        f.pos = m.offset;
        p.assocs.push_back(std::move(f));
    });
}

}  // namespace

std::string map_files_name(std::uint64_t start, std::uint64_t end) {
    char name[64];
    std::snprintf(name, sizeof name, "map_files/%llx-%llx", static_cast<unsigned long long>(start),
                  static_cast<unsigned long long>(end));
    return name;
}

Limit nofile_limit(pid_t pid, int dir, const char* limits, std::string& buf) {
    struct rlimit rl {};
    if (::prlimit(pid, RLIMIT_NOFILE, nullptr, &rl) == 0) {
        Limit l;
        l.soft = rl.rlim_cur == RLIM_INFINITY ? kUnlimited : rl.rlim_cur;
        l.hard = rl.rlim_max == RLIM_INFINITY ? kUnlimited : rl.rlim_max;
        l.known = true;
        return l;
    }
    // prlimit needs matching credentials; /proc/PID/limits is world-readable.
    if (sys::read_file_at(dir, limits, buf, sys::ReadMode::SingleRecord) == 0)
        if (auto l = procfs::parse_nofile_limit(buf)) return *l;
    return {};
}

void read_nofile_limit(int pid_dir, pid_t pid, Scratch& s, Process& p) {
    p.nofile = nofile_limit(pid, pid_dir, "limits", s.text);
}

void read_association(int pid_dir, const char* what, Assoc assoc, Scratch& s, Process& p) {
    if (sys::readlink_at(pid_dir, what, s.link) != 0) return;
    OpenFile f;
    f.assoc = assoc;
    auto link = procfs::parse_link(s.link);
    struct stat st {};
    mode_t mode = 0;
    if (::fstatat(pid_dir, what, &st, 0) == 0) {
        apply_stat(st, f);
        mode = st.st_mode;
    }
    f.kind = classify(link, mode);
    if (link.type == procfs::LinkTarget::Type::Path) {
        const auto n = path_name(link.path, link.deleted, mode ? static_cast<std::int64_t>(st.st_nlink) : kLinksUnknown,
                                 f.kind, s.name);
        f.name = p.names.add(n.name);
        f.deleted = n.deleted;
    } else {
        f.name = p.names.add(s.link);
    }
    f.mode = Mode::None;
    p.assocs.push_back(std::move(f));
}

bool fd_dir_size_is_count() {
    static const bool yes = [] {
        struct stat st {};
        return ::stat("/proc/self/fd", &st) == 0 && st.st_size > 0;
    }();
    return yes;
}

FdFilter::Verdict FdFilter::matches_link(std::string_view text) const {
    auto link = procfs::parse_link(text);
    using T = procfs::LinkTarget::Type;
    auto yes = [](bool b) { return b ? Verdict::Yes : Verdict::No; };
    switch (link.type) {
        case T::Socket:
        case T::Pipe: return yes(inodes.count(link.inode) != 0);
        case T::Path: return fifos.empty() ? Verdict::No : Verdict::IfFifo;
        case T::AnonInode: return yes(!eventfd_ids.empty() && kind_of_anon(link.anon_class) == Kind::Eventfd);
        case T::Other: return Verdict::No;
    }
    return Verdict::No;
}

bool FdFilter::keeps(const OpenFile& f) const {
    if (f.kind == Kind::Eventfd) return f.detail && eventfd_ids.count(f.detail->eventfd_id) != 0;
    return true;
}

ReadResult read_process_head(int pid_dir, pid_t pid, Scratch& s, Process& p, bool& plain_zombie) {
    p.pid = pid;
    struct stat dst {};
    if (::fstat(pid_dir, &dst) == 0) p.uid = dst.st_uid;
    int err = sys::read_file_at(pid_dir, "stat", s.text, sys::ReadMode::SingleRecord);
    if (err) return sys::gone(err) ? ReadResult::Vanished : ReadResult::Permission;
    auto st = procfs::parse_stat(s.text);
    if (!st) return ReadResult::Vanished;  // an empty read: the task is being reaped
    p.comm = st->comm;
    p.ppid = st->ppid;
    p.start_time = st->start_time;
    p.threads = st->num_threads;
    // A zombie leader with live threads: its own fd table is gone, the
    // threads' table lives on and only /proc/PID/task/TID/fd shows it.
    bool zombie = st->state == 'Z' || st->state == 'X';
    p.leader_exited = zombie && st->num_threads > 1;
    plain_zombie = zombie && !p.leader_exited;
    return ReadResult::Ok;
}

void read_process_tail(int pid_dir, pid_t pid, pid_t via_tid, const ReadOptions& opts, Scratch& s, Process& p) {
    // The exited leader's cwd, root, exe and maps went with it; a live
    // thread's task directory still has them.
    sys::UniqueFd task_dir;
    int dir = pid_dir;
    if (via_tid != pid) {
        int err = 0;
        task_dir = sys::open_dir(pid_dir, ("task/" + std::to_string(via_tid)).c_str(), err);
        if (task_dir) dir = task_dir.get();
    }
    if (!opts.count_only && sys::readlink_at(dir, "ns/net", s.link) == 0) p.netns = procfs::parse_link(s.link).inode;
    if (opts.assocs) {
        read_association(dir, "cwd", Assoc::Cwd, s, p);
        read_association(dir, "root", Assoc::Rtd, s, p);
        read_association(dir, "exe", Assoc::Exe, s, p);
    }
    if (opts.maps) {
        read_maps(dir, s, p);
        if (sys::readlink_at(dir, "ns/ipc", s.link) == 0) p.ipcns = procfs::parse_link(s.link).inode;
    }
}

sys::UniqueFd open_process_dir(int proc_dirfd, pid_t pid, ReadResult& failed) {
    int err = 0;
    sys::UniqueFd dir = sys::open_dir(proc_dirfd, sys::ProcPath(pid).text, err);
    if (!dir) failed = sys::gone(err) ? ReadResult::Vanished : ReadResult::Permission;
    return dir;
}

ReadResult read_process(int proc_dirfd, pid_t pid, const ReadOptions& opts, const PseudoMounts& pm,
                        Scratch& s, Process& p, FdSkips& skips) {
    p.pid = pid;
    ReadResult failed = ReadResult::Ok;
    sys::UniqueFd dir = open_process_dir(proc_dirfd, pid, failed);
    if (!dir) return failed;
    int d = dir.get();
    bool plain_zombie = false;
    if (ReadResult r = read_process_head(d, pid, s, p, plain_zombie); r != ReadResult::Ok) return r;
    if (opts.keep && !opts.keep(p)) return ReadResult::Filtered;
    if (plain_zombie) return ReadResult::Ok;

    read_nofile_limit(d, pid, s, p);

    bool denied_any = false;
    std::vector<pid_t> holders;
    if (p.threads > 1 || p.leader_exited)
        holders = table_holders(d, pid, !p.leader_exited, s);
    else
        holders.push_back(pid);
    for (pid_t tid : holders) {
        FdTable t;
        t.tid = tid;
        t.leader = tid == pid;
        std::string base = t.leader ? std::string() : "task/" + std::to_string(tid) + "/";
        ReadResult r = read_table(d, base, opts, pm, s, p.names, t, skips, p.refused);
        if (r == ReadResult::Ok) {
            p.tables.push_back(std::move(t));
        } else if (r == ReadResult::Permission) {
            denied_any = true;
            p.refused.fds = true;
            // The fds cannot be read, but how many there are can (st_size of
            // the fd directory): a table with a count and no fds.
            FdTable c;
            c.tid = t.tid;
            c.leader = t.leader;
            if (!opts.count_only && count_table(d, base, s, c) == ReadResult::Ok && c.counted)
                p.tables.push_back(std::move(c));
        } else if (t.leader) {
            return ReadResult::Vanished;
        }
    }
    read_process_tail(d, pid, p.leader_exited && !holders.empty() ? holders.front() : pid, opts, s, p);
    // The same ptrace check guards cwd, root and exe: say they are missing.
    if (p.refused.fdinfo && opts.assocs)
        p.refused.assocs = std::none_of(p.assocs.begin(), p.assocs.end(), [](const OpenFile& f) {
            return f.assoc == Assoc::Cwd || f.assoc == Assoc::Rtd || f.assoc == Assoc::Exe;
        });
    return denied_any ? ReadResult::Permission : ReadResult::Ok;
}

void add_fd_skips(Snapshot& snap, const std::vector<FdSkips>& skips) {
    for (const auto& sk : skips) {
        snap.skipped_fds.vanished += sk.vanished;
        snap.skipped_fds.permission += sk.permission;
    }
}

}  // namespace fdscope::collect
