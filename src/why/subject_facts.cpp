#include "why/subject_facts.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procfs/parse_cgroup.hpp"
#include "procfs/parse_creds.hpp"
#include "procfs/parse_id_map.hpp"
#include "procfs/parse_limits.hpp"
#include "sys/errno_text.hpp"
#include "sys/files.hpp"
#include "sys/proc_io.hpp"
#include "sys/rlimit.hpp"
#include "sys/user_db.hpp"

namespace fdscope::why {

namespace {

std::string chomp(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
    return s;
}

void apply_creds(const procfs::Creds& c, Subject& s) {
    s.ruid = c.ruid;
    s.euid = c.euid;
    s.suid = c.suid;
    s.fsuid = c.fsuid;
    s.rgid = c.rgid;
    s.egid = c.egid;
    s.sgid = c.sgid;
    s.fsgid = c.fsgid;
    s.groups = c.groups;
    s.cap_effective = c.cap_effective;
    s.cap_permitted = c.cap_permitted;
    s.cap_inheritable = c.cap_inheritable;
    s.cap_bounding = c.cap_bounding;
    s.cap_ambient = c.cap_ambient;
    s.no_new_privs = c.no_new_privs;
    s.seccomp_mode = c.seccomp_mode;
    s.seccomp_filter_count = c.seccomp_filters;
}

// 0 and the creds, or the errno of the read (ENOENT: gone) / EINVAL (not a status file).
int read_creds(const std::string& status_path, procfs::Creds& out) {
    std::string text;
    if (int err = sys::read_all(status_path.c_str(), text)) return err;
    auto c = procfs::parse_creds(text);
    if (!c) return EINVAL;
    out = *c;
    return 0;
}

std::uint64_t ns_inode(const std::string& path, std::vector<std::string>& unreadable) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) {
        unreadable.push_back(fmt::format("{}: {}", path, sys::errno_text(errno)));
        return 0;
    }
    return st.st_ino;
}

// prlimit(2) needs the subject's uids or CAP_SYS_RESOURCE (which root may
// lack, as in containers); /proc/PID/limits shows the same to anyone.
Limits read_limits(pid_t pid, std::vector<std::string>& unreadable) {
    Limits l;
    struct rlimit nofile{}, fsize{}, nproc{};
    int err = sys::process_rlimit(pid, RLIMIT_NOFILE, nofile);
    if (!err) err = sys::process_rlimit(pid, RLIMIT_FSIZE, fsize);
    if (!err) err = sys::process_rlimit(pid, RLIMIT_NPROC, nproc);
    if (!err) {
        // RLIM_INFINITY is ~0 as kUnlimited is.
        l.nofile_soft = nofile.rlim_cur;
        l.nofile_hard = nofile.rlim_max;
        l.fsize_soft = fsize.rlim_cur;
        l.nproc_soft = nproc.rlim_cur;
        l.known = true;
        return l;
    }
    const std::string path = pid ? fmt::format("/proc/{}/limits", pid) : std::string("/proc/self/limits");
    std::string text;
    if (int e = sys::read_all(path.c_str(), text)) {
        unreadable.push_back(fmt::format("rlimits: prlimit: {}; {}: {}", sys::errno_text(err), path, sys::errno_text(e)));
        return l;
    }
    auto no = procfs::parse_limit(text, "Max open files");
    auto fs = procfs::parse_limit(text, "Max file size");
    auto np = procfs::parse_limit(text, "Max processes");
    if (!no || !fs || !np) {
        unreadable.push_back(fmt::format("rlimits: prlimit: {}; {}: not understood", sys::errno_text(err), path));
        return l;
    }
    l.nofile_soft = no->soft;
    l.nofile_hard = no->hard;
    l.fsize_soft = fs->soft;
    l.nproc_soft = np->soft;
    l.known = true;
    return l;
}

// The fd table of `task` (a leader that exited has none left; its live
// threads still share the process's).
std::optional<std::uint64_t> fd_count(const std::string& task) {
    const std::string dir = task + "/fd";
    struct stat st{};
    // st_size of /proc/PID/fd is the number of open fds since Linux 6.2.
    if (::stat(dir.c_str(), &st) == 0 && st.st_size > 0) return static_cast<std::uint64_t>(st.st_size);
    int err = 0;
    sys::UniqueFd d = sys::open_dir(AT_FDCWD, dir.c_str(), err);
    if (!d) return std::nullopt;
    std::vector<std::int32_t> fds;
    if (sys::list_numeric(d.get(), fds) != 0) return std::nullopt;
    return fds.size();
}

// The lowest fd number `task` does not have open: what its next open gets.
std::optional<std::uint64_t> lowest_free_fd(const std::string& task) {
    int err = 0;
    sys::UniqueFd d = sys::open_dir(AT_FDCWD, (task + "/fd").c_str(), err);
    std::vector<std::int32_t> fds;
    if (!d || sys::list_numeric(d.get(), fds) != 0) return std::nullopt;
    std::sort(fds.begin(), fds.end());
    std::uint64_t next = 0;
    for (std::int32_t fd : fds) {
        if (fd < 0 || static_cast<std::uint64_t>(fd) != next) break;
        ++next;
    }
    return next;
}

// A thread of `pid` to take the namespaces, root and cwd from: `tid` if
// given and there, else the leader unless it exited, else a live thread.
int choose_thread(pid_t pid, pid_t tid, pid_t& chosen, std::string& error) {
    int err = 0;
    sys::UniqueFd task = sys::open_dir(AT_FDCWD, fmt::format("/proc/{}/task", pid).c_str(), err);
    std::vector<std::int32_t> tids;
    if (!task || sys::list_numeric(task.get(), tids) != 0) {
        error = fmt::format("no process {}", pid);
        return ESRCH;
    }
    std::sort(tids.begin(), tids.end());
    if (tid) {
        if (std::find(tids.begin(), tids.end(), tid) == tids.end()) {
            error = fmt::format("process {} has no thread {}", pid, tid);
            return ESRCH;
        }
        chosen = tid;
        return 0;
    }
    // The leader first, then the others in order.
    auto leader = std::find(tids.begin(), tids.end(), pid);
    if (leader != tids.end()) std::rotate(tids.begin(), leader, leader + 1);
    for (pid_t t : tids) {
        procfs::Creds c;
        if (read_creds(fmt::format("/proc/{}/task/{}/status", pid, t), c) != 0) continue;
        if (c.state != 'Z' && c.state != 'X') {
            chosen = t;
            return 0;
        }
    }
    error = fmt::format("process {} has exited (only a zombie is left)", pid);
    return ESRCH;
}

// Whether some other thread of `pid` has other credentials or filters.
bool threads_differ(pid_t pid, pid_t chosen, const procfs::Creds& creds) {
    int err = 0;
    sys::UniqueFd task = sys::open_dir(AT_FDCWD, fmt::format("/proc/{}/task", pid).c_str(), err);
    std::vector<std::int32_t> tids;
    if (!task || sys::list_numeric(task.get(), tids) != 0) return false;
    for (pid_t t : tids) {
        if (t == chosen) continue;
        procfs::Creds c;
        if (read_creds(fmt::format("/proc/{}/task/{}/status", pid, t), c) != 0) continue;  // exited meanwhile
        if (c.state == 'Z' || c.state == 'X') continue;
        if (!c.same_creds(creds)) return true;
    }
    return false;
}

std::vector<IdMapExtent> id_map(const std::string& path, std::vector<std::string>& unreadable) {
    std::string text;
    if (int err = sys::read_all(path.c_str(), text)) {
        unreadable.push_back(fmt::format("{}: {}", path, sys::errno_text(err)));
        return {};
    }
    auto map = procfs::parse_id_map(text);
    if (!map) {
        unreadable.push_back(fmt::format("{}: not an id map", path));
        return {};
    }
    return *map;
}

std::string link_text(const std::string& path, std::vector<std::string>& unreadable) {
    std::string out;
    if (int err = sys::readlink_at(AT_FDCWD, path.c_str(), out)) {
        unreadable.push_back(fmt::format("{}: {}", path, sys::errno_text(err)));
        return {};
    }
    return out;
}

// The cwd as the subject names it: inside a chroot, without the root's prefix.
std::string cwd_in_root(const std::string& cwd, const std::string& root) {
    if (root.empty() || root == "/") return cwd;
    if (cwd == root) return "/";
    if (cwd.size() > root.size() && cwd.compare(0, root.size(), root) == 0 && cwd[root.size()] == '/')
        return cwd.substr(root.size());
    return cwd;
}

std::string name_of_uid(uid_t uid) {
    auto e = sys::user_by_uid(uid);
    return e ? e->name : std::string{};
}

}  // namespace

SubjectGather process_subject(pid_t pid, pid_t tid) {
    SubjectGather g;
    if (pid <= 0) {
        g.error = fmt::format("no process {}", pid);
        return g;
    }
    procfs::Creds leader;
    int err = read_creds(fmt::format("/proc/{}/status", pid), leader);
    if (err) {
        g.error = sys::gone(err) ? fmt::format("no process {}", pid)
                                 : fmt::format("process {}: status: {}", pid, sys::errno_text(err));
        return g;
    }
    if (leader.tgid != pid) {
        // /proc/TID exists for threads too, unlisted.
        g.error = fmt::format("{} is a thread of process {} (use -p {} --as-thread {})", pid, leader.tgid,
                              leader.tgid, pid);
        return g;
    }
    pid_t chosen = 0;
    if (choose_thread(pid, tid, chosen, g.error) != 0) return g;
    const std::string task = fmt::format("/proc/{}/task/{}", pid, chosen);
    procfs::Creds creds;
    if ((err = read_creds(task + "/status", creds)) != 0) {
        g.error = sys::gone(err) ? fmt::format("thread {} of process {} has exited", chosen, pid)
                                 : fmt::format("{}/status: {}", task, sys::errno_text(err));
        return g;
    }

    Subject s;
    s.kind = SubjectKind::Process;
    s.pid = pid;
    s.tid = chosen;
    apply_creds(creds, s);
    std::string comm;
    if (sys::read_all(fmt::format("/proc/{}/comm", pid).c_str(), comm) == 0) s.command = chomp(comm);
    s.user_name = name_of_uid(s.euid);
    s.threads_differ = threads_differ(pid, chosen, creds);

    auto& un = g.unreadable;
    s.user_ns = ns_inode(task + "/ns/user", un);
    s.mnt_ns = ns_inode(task + "/ns/mnt", un);
    s.net_ns = ns_inode(task + "/ns/net", un);
    std::vector<std::string> ours;  // fdscope's own: never a fact about the subject
    const std::uint64_t my_mnt = ns_inode("/proc/self/ns/mnt", ours);
    const std::uint64_t my_net = ns_inode("/proc/self/ns/net", ours);
    s.same_mnt_ns = s.mnt_ns && s.mnt_ns == my_mnt;
    s.same_net_ns = s.net_ns && s.net_ns == my_net;
    s.init_user_ns = s.user_ns == kInitUserNsInode;
    if (s.user_ns && !s.init_user_ns) {
        s.uid_map = id_map(task + "/uid_map", un);
        s.gid_map = id_map(task + "/gid_map", un);
    }

    s.root = link_text(task + "/root", un);
    s.cwd = cwd_in_root(link_text(task + "/cwd", un), s.root);
    std::string cg;
    if ((err = sys::read_all((task + "/cgroup").c_str(), cg)) != 0)
        un.push_back(fmt::format("{}/cgroup: {}", task, sys::errno_text(err)));
    else if (const auto lines = procfs::parse_proc_cgroup(cg); !lines.empty())
        s.cgroup = procfs::cgroup_path_v2(lines).value_or(lines.front().path);
    std::string label;
    err = sys::read_all((task + "/attr/current").c_str(), label);
    if (err == 0) s.lsm_label = chomp(label);
    else if (err != EINVAL)  // EINVAL: no LSM provides a label
        un.push_back(fmt::format("{}/attr/current: {}", task, sys::errno_text(err)));
    s.limits = read_limits(pid, un);
    s.fd_count = fd_count(task);
    if (!s.fd_count) un.push_back(fmt::format("{}/fd: not counted", task));
    // Below the limit some fd under it is free; at it, fds above the limit
    // (inherited, or kept across a lowered prlimit) may leave one free.
    else if (s.limits.known && *s.fd_count >= s.limits.nofile_soft) s.lowest_free_fd = lowest_free_fd(task);
    g.subject = std::move(s);
    return g;
}

SubjectGather caller_subject() {
    SubjectGather g = process_subject(::getpid(), 0);
    if (g.subject) g.subject->kind = SubjectKind::Caller;
    return g;
}

SubjectGather user_subject(const std::string& user) {
    SubjectGather g;
    std::optional<sys::UserEntry> entry;
    uid_t uid = 0;
    auto [p, ec] = std::from_chars(user.data(), user.data() + user.size(), uid);
    if (!user.empty() && ec == std::errc() && p == user.data() + user.size()) entry = sys::user_by_uid(uid);
    else entry = sys::user_by_name(user);
    if (!entry) {
        g.error = fmt::format("no user {} in the user database", user);
        return g;
    }

    Subject s;
    s.kind = SubjectKind::User;
    s.command = entry->name;
    s.user_name = entry->name;
    s.ruid = s.euid = s.suid = s.fsuid = entry->uid;
    s.rgid = s.egid = s.sgid = s.fsgid = entry->gid;
    s.groups = sys::login_groups(entry->name, entry->gid);

    procfs::Creds mine;
    if (int err = read_creds("/proc/self/status", mine)) {
        g.unreadable.push_back(fmt::format("/proc/self/status: {}", sys::errno_text(err)));
    } else {
        s.cap_bounding = mine.cap_bounding;
        if (entry->uid == 0) s.cap_effective = s.cap_permitted = mine.cap_bounding;
    }
    s.user_ns = kInitUserNsInode;
    s.init_user_ns = true;
    std::vector<std::string>& un = g.unreadable;
    s.mnt_ns = ns_inode("/proc/self/ns/mnt", un);
    s.net_ns = ns_inode("/proc/self/ns/net", un);  // a login lands in the host's: ours, as far as fdscope knows
    s.same_mnt_ns = s.same_net_ns = true;
    s.cwd = s.root = "/";
    s.limits = read_limits(0, un);
    s.limits.from_caller = true;
    g.subject = std::move(s);
    return g;
}

}  // namespace fdscope::why
