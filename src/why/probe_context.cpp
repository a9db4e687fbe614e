#include "why/probe_context.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <utility>

#include "sys/files.hpp"
#include "sys/seccomp_load.hpp"

namespace fdscope::why {

namespace {

std::string proc_file(pid_t pid, const char* rest) { return "/proc/" + std::to_string(pid) + "/" + rest; }

std::string failed(const std::string& what, int error) { return what + ": " + std::strerror(error); }

// 1 the namespace differs from ours, 0 the same, -1 unreadable (errno set).
int namespace_differs(pid_t pid, const char* name) {
    struct stat theirs{}, ours{};
    if (::stat(proc_file(pid, ("ns/" + std::string(name)).c_str()).c_str(), &theirs) < 0) return -1;
    if (::stat((std::string("/proc/self/ns/") + name).c_str(), &ours) < 0) return -1;
    return theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev ? 1 : 0;
}

std::vector<IdMapExtent> read_id_map(const std::string& path) {
    std::vector<IdMapExtent> map;
    std::string text;
    if (sys::read_all(path.c_str(), text) != 0) return map;
    std::istringstream in(text);
    IdMapExtent e;
    while (in >> e.inside >> e.outside >> e.count) map.push_back(e);
    return map;
}

struct CgroupMount {
    std::string root, point;
    std::vector<std::string> options;  // super options: the v1 controllers, name=...
    bool v2 = false;
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

// mountinfo escapes spaces and the like as \ooo.
std::string unescape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::vector<CgroupMount> cgroup_mounts() {
    std::vector<CgroupMount> mounts;
    std::string text;
    if (sys::read_all("/proc/self/mountinfo", text) != 0) return mounts;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        auto before = split(line.substr(0, dash), ' ');
        auto after = split(line.substr(dash + 3), ' ');
        if (before.size() < 5 || after.size() < 3) continue;
        if (after[0] != "cgroup" && after[0] != "cgroup2") continue;
        CgroupMount m;
        m.root = unescape(before[3]);
        m.point = unescape(before[4]);
        m.options = split(after[2], ',');
        m.v2 = after[0] == "cgroup2";
        mounts.push_back(std::move(m));
    }
    return mounts;
}

bool has_all(const std::vector<std::string>& options, const std::vector<std::string>& wanted) {
    for (const auto& w : wanted) {
        bool found = false;
        for (const auto& o : options) found = found || o == w;
        if (!found) return false;
    }
    return true;
}

// The cgroup.procs file of each hierarchy the process is in
// (/proc/PID/cgroup: "ID:controllers:path"; ID 0 with no controllers is v2).
std::vector<std::string> cgroup_procs_files(pid_t pid, std::string& missing) {
    std::vector<std::string> files;
    std::string text;
    if (sys::read_all(proc_file(pid, "cgroup").c_str(), text) != 0) {
        missing = "its cgroups (unreadable)";
        return files;
    }
    auto mounts = cgroup_mounts();
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto first = line.find(':');
        auto second = first == std::string::npos ? first : line.find(':', first + 1);
        if (second == std::string::npos) continue;
        std::string controllers = line.substr(first + 1, second - first - 1);
        std::string path = line.substr(second + 1);
        bool v2 = controllers.empty();
        std::vector<std::string> wanted = v2 ? std::vector<std::string>{} : split(controllers, ',');
        const CgroupMount* found = nullptr;
        for (const auto& m : mounts)
            if (m.v2 == v2 && (v2 || has_all(m.options, wanted)) && path.compare(0, m.root.size(), m.root) == 0) {
                found = &m;
                break;
            }
        if (!found) {
            missing += (missing.empty() ? "" : ", ") + std::string(v2 ? "cgroup2" : controllers) + " (not mounted here)";
            continue;
        }
        std::string rest = found->root == "/" ? path : path.substr(found->root.size());
        files.push_back(found->point + (rest == "/" ? "" : rest) + "/cgroup.procs");
    }
    return files;
}

std::string map_ids(const Subject& s, pid_t pid, ChildContext& c) {
    auto uid_map = read_id_map(proc_file(pid, "uid_map"));
    auto gid_map = read_id_map(proc_file(pid, "gid_map"));
    std::pair<std::uint32_t, uid_t*> uids[] = {{s.ruid, &c.ruid}, {s.euid, &c.euid}, {s.suid, &c.suid}, {s.fsuid, &c.fsuid}};
    for (auto& [host, inside] : uids)
        if (!id_inside(host, uid_map, *inside))
            return "uid " + std::to_string(host) + " is not mapped in its user namespace";
    std::pair<std::uint32_t, gid_t*> gids[] = {{s.rgid, &c.rgid}, {s.egid, &c.egid}, {s.sgid, &c.sgid}, {s.fsgid, &c.fsgid}};
    for (auto& [host, inside] : gids)
        if (!id_inside(host, gid_map, *inside))
            return "gid " + std::to_string(host) + " is not mapped in its user namespace";
    // Supplementary groups are set as host gids before the setns: inside, a
    // namespace made without privilege refuses setgroups (setgroups "deny"),
    // and one the subject holds may be unmapped there.
    c.groups = s.groups;
    c.groups_before_setns = true;
    return "";
}

void copy_host_ids(const Subject& s, ChildContext& c) {
    c.ruid = s.ruid, c.euid = s.euid, c.suid = s.suid, c.fsuid = s.fsuid;
    c.rgid = s.rgid, c.egid = s.egid, c.sgid = s.sgid, c.fsgid = s.fsgid;
    c.groups = s.groups;
}

void copy_credentials(const Subject& s, ChildContext& c) {
    c.change_credentials = true;
    c.caps = {s.cap_effective, s.cap_permitted, s.cap_inheritable};
    c.bounding = s.cap_bounding;
    c.ambient = s.cap_ambient;
    if (s.limits.known) {
        c.set_limits = true;
        c.nofile_soft = s.limits.nofile_soft;
        c.nofile_hard = s.limits.nofile_hard;
        c.fsize_soft = s.limits.fsize_soft;
        c.nproc_soft = s.limits.nproc_soft;
        // Only the lowest free fd matters to an open, and only at the limit.
        if (s.lowest_free_fd) c.fd_fill = std::min(*s.lowest_free_fd, s.limits.nofile_soft);
    } else {
        c.not_reproduced += "; its rlimits (not read: the probe kept fdscope's)";
    }
}

std::string prepare_process(const Subject& s, ChildContext& c) {
    const pid_t pid = s.pid;
    c.change_process = true;
    c.pidfd = sys::UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!c.pidfd) return failed("pidfd_open of pid " + std::to_string(pid), errno);
    c.root = sys::UniqueFd(::open(proc_file(pid, "root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!c.root) return failed("open /proc/" + std::to_string(pid) + "/root", errno);
    c.cwd = sys::UniqueFd(::open(proc_file(pid, "cwd").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!c.cwd) return failed("open /proc/" + std::to_string(pid) + "/cwd", errno);

    // Only the namespaces that differ are joined: setns into our own user
    // namespace is EINVAL, and the others would only cost CAP_SYS_ADMIN.
    const std::pair<const char*, int> namespaces[] = {{"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS}, {"net", CLONE_NEWNET}};
    for (const auto& [name, flag] : namespaces) {
        int d = namespace_differs(pid, name);
        if (d < 0) return failed(std::string("its ") + name + " namespace", errno);
        if (d) c.setns_flags |= flag;
    }
    std::string missing;
    c.cgroup_procs = cgroup_procs_files(pid, missing);
    if (!missing.empty()) c.not_reproduced += "; cgroup " + missing;

    copy_credentials(s, c);
    if (c.setns_flags & CLONE_NEWUSER) {
        if (std::string e = map_ids(s, pid, c); !e.empty()) return e;
    } else {
        copy_host_ids(s, c);
    }
    c.no_new_privs = s.no_new_privs;
    c.seccomp_mode = s.seccomp_mode;
    if (s.seccomp_mode == 2) {
        if (!s.seccomp_filters)
            return "its seccomp filters could not be read (" +
                   (s.seccomp_unreadable.empty() ? std::string("no reason given") : s.seccomp_unreadable) +
                   "): the probe would run without them";
        c.filters = *s.seccomp_filters;
        if (!s.no_new_privs && !(s.cap_effective & (std::uint64_t{1} << CAP_SYS_ADMIN)))
            c.not_reproduced += "; no_new_privs off (the probe sets it to load the filters without CAP_SYS_ADMIN)";
    }
    return "";
}

bool set_limit(int resource, std::uint64_t soft, std::uint64_t hard_wanted, bool keep_hard) {
    struct rlimit now{};
    if (::getrlimit(resource, &now) < 0) return false;
    rlim_t s = soft == Limits::kUnlimited ? RLIM_INFINITY : static_cast<rlim_t>(soft);
    rlim_t h = keep_hard ? now.rlim_max : (hard_wanted == Limits::kUnlimited ? RLIM_INFINITY : static_cast<rlim_t>(hard_wanted));
    if (keep_hard && s > h) h = s;
    struct rlimit next{s, h};
    return ::setrlimit(resource, &next) == 0;
}

bool set_fs_id(long nr, unsigned id) {
    ::syscall(nr, id);
    return static_cast<unsigned>(::syscall(nr, static_cast<unsigned>(-1))) == id;
}

}  // namespace

const char* context_step_name(ContextStep step) {
    switch (step) {
    case ContextStep::None: return "none";
    case ContextStep::Cgroup: return "joining its cgroup";
    case ContextStep::Setns: return "setns into its namespaces";
    case ContextStep::Root: return "chroot to its root";
    case ContextStep::Cwd: return "chdir to its cwd";
    case ContextStep::Rlimit: return "setrlimit";
    case ContextStep::Groups: return "setgroups";
    case ContextStep::Gids: return "setresgid";
    case ContextStep::KeepCaps: return "PR_SET_KEEPCAPS";
    case ContextStep::Uids: return "setresuid";
    case ContextStep::RaiseCaps: return "capset (raise for setfsuid)";
    case ContextStep::Fsgid: return "setfsgid";
    case ContextStep::Fsuid: return "setfsuid";
    case ContextStep::Bounding: return "PR_CAPBSET_DROP";
    case ContextStep::Capabilities: return "capset to its capabilities";
    case ContextStep::Ambient: return "PR_CAP_AMBIENT_RAISE";
    case ContextStep::NoNewPrivs: return "PR_SET_NO_NEW_PRIVS";
    case ContextStep::FdTable: return "filling its fd table";
    case ContextStep::Seccomp: return "loading its seccomp filters";
    }
    return "?";
}

bool id_inside(std::uint32_t host, const std::vector<IdMapExtent>& map, std::uint32_t& inside) {
    for (const auto& e : map)
        if (host >= e.outside && host - e.outside < e.count) {
            inside = host - e.outside + e.inside;
            return true;
        }
    return false;
}

std::string prepare_context(const Subject& s, ChildContext& c) {
    switch (s.kind) {
    case SubjectKind::Caller: return "";
    case SubjectKind::User:
        copy_credentials(s, c);
        copy_host_ids(s, c);
        c.cwd_path = s.cwd;
        return "";
    case SubjectKind::Process: return prepare_process(s, c);
    }
    return "unknown subject kind";
}

ContextStep enter_place(const ChildContext& c, int& error, int& cgroup_failures) {
    auto fail = [&error](ContextStep step) {
        error = errno;
        return step;
    };
    if (c.change_process) {
        for (const auto& procs : c.cgroup_procs) {
            int fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
            if (fd < 0 || ::write(fd, "0", 1) != 1) ++cgroup_failures;
            if (fd >= 0) ::close(fd);
        }
        if (c.groups_before_setns && ::syscall(SYS_setgroups, c.groups.size(), c.groups.data()) < 0)
            return fail(ContextStep::Groups);
        if (c.setns_flags && ::setns(c.pidfd.get(), c.setns_flags) < 0) return fail(ContextStep::Setns);
        if (::fchdir(c.root.get()) < 0 || ::chroot(".") < 0) return fail(ContextStep::Root);
        if (::fchdir(c.cwd.get()) < 0) return fail(ContextStep::Cwd);
    } else if (!c.cwd_path.empty() && ::chdir(c.cwd_path.c_str()) < 0) {
        return fail(ContextStep::Cwd);
    }
    return ContextStep::None;
}

ContextStep enter_credentials(const ChildContext& c, int& error) {
    auto fail = [&error](ContextStep step) {
        error = errno;
        return step;
    };
    if (!c.change_credentials) return ContextStep::None;
    if (c.set_limits) {
        // Before the ids change: set_user() judges RLIMIT_NPROC then.
        if (!set_limit(RLIMIT_NOFILE, c.nofile_soft, c.nofile_hard, false) ||
            !set_limit(RLIMIT_FSIZE, c.fsize_soft, 0, true) || !set_limit(RLIMIT_NPROC, c.nproc_soft, 0, true))
            return fail(ContextStep::Rlimit);
    }
    if (!c.groups_before_setns && ::syscall(SYS_setgroups, c.groups.size(), c.groups.data()) < 0)
        return fail(ContextStep::Groups);
    if (::syscall(SYS_setresgid, c.rgid, c.egid, c.sgid) < 0) return fail(ContextStep::Gids);
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return fail(ContextStep::KeepCaps);
    if (::syscall(SYS_setresuid, c.ruid, c.euid, c.suid) < 0) return fail(ContextStep::Uids);
    // Leaving uid 0 cleared the effective set; setfsuid and the bounding set
    // need it back for a moment.
    sys::CapabilitySets now;
    if ((error = sys::get_own_capabilities(now)) != 0) return ContextStep::RaiseCaps;
    now.effective = now.permitted;
    if ((error = sys::set_own_capabilities(now)) != 0) return ContextStep::RaiseCaps;
    if (!set_fs_id(SYS_setfsgid, c.fsgid)) {
        errno = EPERM;
        return fail(ContextStep::Fsgid);
    }
    if (!set_fs_id(SYS_setfsuid, c.fsuid)) {
        errno = EPERM;
        return fail(ContextStep::Fsuid);
    }
    for (int cap = 0; cap < 64; ++cap) {
        if (c.bounding & (std::uint64_t{1} << cap)) continue;
        if (::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) <= 0) continue;  // not a capability this kernel has, or gone
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) return fail(ContextStep::Bounding);
    }
    if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return fail(ContextStep::KeepCaps);
    if ((error = sys::set_own_capabilities(c.caps)) != 0) return ContextStep::Capabilities;
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) return fail(ContextStep::Ambient);
    for (int cap = 0; cap < 64; ++cap)
        if ((c.ambient & (std::uint64_t{1} << cap)) && ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
            return fail(ContextStep::Ambient);
    if (c.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail(ContextStep::NoNewPrivs);
    return ContextStep::None;
}

ContextStep enter_seccomp(const ChildContext& c, int& error) {
    if (c.seccomp_mode == 1) {
        error = sys::enter_seccomp_strict();
        return error ? ContextStep::Seccomp : ContextStep::None;
    }
    if (c.seccomp_mode != 2) return ContextStep::None;
    const bool admin = c.caps.effective & (std::uint64_t{1} << CAP_SYS_ADMIN);
    if (!c.no_new_privs && !admin && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        error = errno;
        return ContextStep::NoNewPrivs;
    }
    for (const auto& filter : c.filters)
        if ((error = sys::load_seccomp_filter(filter)) != 0) return ContextStep::Seccomp;
    return ContextStep::None;
}

ContextStep fill_fd_table(const ChildContext& c, int& error) {
    if (c.fd_fill == 0) return ContextStep::None;
    const int source = ::eventfd(0, EFD_CLOEXEC);
    if (source < 0) {
        if (errno == EMFILE) return ContextStep::None;  // full already
        error = errno;
        return ContextStep::FdTable;
    }
    for (std::uint64_t n = 0; n < c.fd_fill; ++n) {
        const int fd = static_cast<int>(n);
        if (fd == source || ::fcntl(fd, F_GETFD) >= 0) continue;
        if (::dup2(source, fd) < 0) {
            error = errno;
            return ContextStep::FdTable;
        }
    }
    return ContextStep::None;
}

}  // namespace fdscope::why
