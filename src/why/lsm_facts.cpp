#include "why/lsm_facts.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "collect/scan.hpp"
#include "procfs/parse_fanotify.hpp"
#include "procfs/parse_link.hpp"
#include "procfs/parse_lsm.hpp"
#include "procfs/parse_stat.hpp"
#include "sys/errno_text.hpp"
#include "sys/proc_io.hpp"
#include "sys/proc_path.hpp"

namespace fdscope::why {
namespace {

std::string mark_target(const procfs::FanotifyMark& m) {
    char dev[32];
    std::snprintf(dev, sizeof dev, "%u:%u", m.sdev >> 20, m.sdev & 0xfffffu);
    switch (m.on) {
        case procfs::FanotifyMark::On::Mount: return "mount " + std::to_string(m.mnt_id);
        case procfs::FanotifyMark::On::Inode: return "inode " + std::to_string(m.inode) + " on dev " + dev;
        case procfs::FanotifyMark::On::Filesystem: return "filesystem dev " + std::string(dev);
    }
    return "?";
}

std::string comm_of(int pid_dir, std::string& buf) {
    if (sys::read_file_at(pid_dir, "stat", buf, sys::ReadMode::SingleRecord) != 0) return {};
    auto st = procfs::parse_stat(buf);
    return st ? std::string(st->comm) : std::string();
}

void scan_process(int proc, pid_t pid, LsmFacts& lsm, std::string& link, std::string& text) {
    int err = 0;
    sys::UniqueFd dir = sys::open_dir(proc, sys::ProcPath(pid).text, err);
    if (!dir) return;
    sys::UniqueFd fds = sys::open_dir(dir.get(), "fd", err);
    if (!fds) return;
    std::vector<std::int32_t> numbers;
    if (sys::list_numeric(fds.get(), numbers) != 0) return;
    std::sort(numbers.begin(), numbers.end());
    std::string comm;
    for (std::int32_t fd : numbers) {
        if (sys::readlink_at(fds.get(), sys::ProcPath(fd).text, link) != 0) continue;
        const auto target = procfs::parse_link(link);
        if (target.type != procfs::LinkTarget::Type::AnonInode) continue;
        const bool fan = target.anon_class == "[fanotify]" || target.anon_class == "fanotify";
        const bool notify = target.anon_class == "seccomp notify" || target.anon_class == "[seccomp notify]";
        if (!fan && !notify) continue;
        if (comm.empty()) comm = comm_of(dir.get(), text);
        if (notify) {
            lsm.seccomp_supervisors.push_back({pid, comm, fd, "seccomp user notification", 0});
            continue;
        }
        const std::string info = "fdinfo/" + std::to_string(fd);
        if (sys::read_file_at(dir.get(), info.c_str(), text, sys::ReadMode::Stream) != 0) continue;
        for (const auto& m : procfs::parse_fanotify_marks(text)) {
            const std::uint64_t perm = m.mask & procfs::kFanotifyPermissionEvents;
            if (!perm) continue;
            lsm.fanotify_permission.push_back({pid, comm, fd, fanotify_permission_names(perm) + " on " + mark_target(m), 0});
        }
    }
}

}  // namespace

std::string fanotify_permission_names(std::uint64_t mask) {
    std::string out;
    auto add = [&](std::uint64_t bit, const char* name) {
        if (!(mask & bit)) return;
        if (!out.empty()) out += '|';
        out += name;
    };
    add(0x10000, "FAN_OPEN_PERM");
    add(0x20000, "FAN_ACCESS_PERM");
    add(0x40000, "FAN_OPEN_EXEC_PERM");
    return out;
}

namespace {

// securityfs is not mounted on every machine (this one's init never
// mounts it). A forked child mounts it in a mount namespace of its own,
// reads the list and hands it back on a pipe: fdscope's own mounts never
// change. Only system calls in the child (the parent may have threads).
int read_lsm_from_own_securityfs(std::string& text) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return errno;
    const pid_t child = ::fork();
    if (child < 0) {
        const int err = errno;
        ::close(p[0]);
        ::close(p[1]);
        return err;
    }
    if (child == 0) {
        ::close(p[0]);
        char buf[512];
        if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
            ::mount("securityfs", "/sys/kernel/security", "securityfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
            ::_exit(1);
        const int fd = ::open("/sys/kernel/security/lsm", O_RDONLY | O_CLOEXEC);
        if (fd < 0) ::_exit(2);
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0 || ::write(p[1], buf, static_cast<std::size_t>(n)) != n) ::_exit(3);
        ::_exit(0);
    }
    ::close(p[1]);
    char buf[512];
    ssize_t n = 0;
    text.clear();
    while ((n = ::read(p[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    ::close(p[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return EPERM;
    return 0;
}

}  // namespace

std::vector<std::string> read_active_lsms(std::vector<std::string>& unreadable) {
    std::string text;
    int err = sys::read_file_at(AT_FDCWD, "/sys/kernel/security/lsm", text, sys::ReadMode::Stream);
    if (err == ENOENT) err = read_lsm_from_own_securityfs(text);
    if (err != 0) {
        unreadable.push_back("/sys/kernel/security/lsm: " + sys::errno_text(err) +
                             (err == EPERM ? " (securityfs is not mounted and could not be mounted privately)" : ""));
        return {};
    }
    return procfs::parse_lsm_list(text);
}

void read_lsm_listeners(LsmFacts& lsm) {
    int err = 0;
    sys::UniqueFd proc = sys::open_dir(AT_FDCWD, "/proc", err);
    if (!proc) return;
    const pid_t self = ::getpid();
    std::string link, text;
    for (pid_t pid : collect::list_pids())
        if (pid != self) scan_process(proc.get(), pid, lsm, link, text);
}

void gather_lsm(LsmFacts& lsm, std::vector<std::string>& unreadable) {
    lsm.active = read_active_lsms(unreadable);
    read_lsm_listeners(lsm);
}

}  // namespace fdscope::why
