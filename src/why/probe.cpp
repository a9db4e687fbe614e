// The probe child (see why/probe.hpp). The parent prepares everything
// (paths, fds, translated ids, filters) so that the child, forked from a
// process that may have threads, makes system calls only. The child reports
// through a shared anonymous page, written with plain stores: once its
// seccomp filters are in, even write(2) may be refused.
#include "why/probe.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <string>

#include "sys/execve_check.hpp"
#include "sys/unique_fd.hpp"
#include "why/probe_context.hpp"
#include "why/probe_common.hpp"
#include "why/probe_plan.hpp"

namespace fdscope::why {

namespace {

constexpr int kTimeoutMs = 10000;  // a hung FUSE or NFS server must not hang fdscope

enum class Phase : int { Setup, Attempting, Done };
enum class Refusal : int { None, NotRegular, ExistsExclusive, AppendOnlyParent, CleanupFd };

// The child's report. Plain ints: written by the child, read by the parent
// after the child is gone.
struct Report {
    Phase phase;
    ContextStep failed_step;
    int step_error;
    int cgroup_failures;
    Refusal refusal;
    unsigned file_type;          // Refusal::NotRegular: st_mode & S_IFMT
    int made_tmpfile;            // OpenOrCreate: the name was absent, O_TMPFILE was tried
    int error;                   // Phase::Done: the attempt's errno (0: it succeeded)
    int cleanup_error;           // rmdir of the probe's directory failed
};

bool send_fd(int sock, int fd) {
    char dummy = 'd';
    iovec iov{&dummy, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    return ::sendmsg(sock, &msg, MSG_NOSIGNAL) == 1;
}

sys::UniqueFd receive_fd(int sock) {
    char dummy = 0;
    iovec iov{&dummy, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    if (::recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) != 1) return {};
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_type != SCM_RIGHTS) return {};
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return sys::UniqueFd(fd);
}

// As root in the subject's place: an append-only directory keeps what is
// made in it (rmdir fails), so nothing is made there; otherwise the parent
// gets the directory, to remove a probe directory a killed child left.
Refusal prepare_mkdir(const Attempt& a, int sock) {
    int dir = ::open(a.parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return Refusal::None;  // mkdir fails on the same walk: nothing can be left
    int flags = 0;
    Refusal r = Refusal::None;
    if (::ioctl(dir, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_APPEND_FL)) r = Refusal::AppendOnlyParent;
    else if (!send_fd(sock, dir)) r = Refusal::CleanupFd;
    ::close(dir);
    return r;
}

// As the subject, before its filters: what the name is. Only regular files
// (and directories, for a read) are opened; a name that is not there is
// created as O_TMPFILE when asked to create. A failed lookup is left to the
// real attempt: it fails on the same walk, through the filters.
Refusal check_open_target(const Attempt& a, Report& report) {
    int fd = ::openat(AT_FDCWD, a.path.c_str(), O_PATH | O_CLOEXEC | (a.open_flags & O_NOFOLLOW));
    if (fd < 0) {
        if (a.kind == AttemptKind::OpenOrCreate && errno == ENOENT) report.made_tmpfile = 1;
        return Refusal::None;
    }
    struct stat st{};
    int r = ::fstat(fd, &st);
    ::close(fd);
    if (r < 0) return Refusal::None;
    if (a.kind == AttemptKind::OpenOrCreate && a.exclusive) return Refusal::ExistsExclusive;
    if (S_ISREG(st.st_mode) || (a.directories_too && S_ISDIR(st.st_mode))) return Refusal::None;
    report.file_type = st.st_mode & S_IFMT;
    return Refusal::NotRegular;
}

// The attempt itself, after the filters: its errno, 0 on success. Whatever
// it made is undone at once.
int attempt(const Attempt& a, const Report& report, int& cleanup_error) {
    switch (a.kind) {
    case AttemptKind::Open:
    case AttemptKind::OpenOrCreate: {
        int fd = report.made_tmpfile ? ::openat(AT_FDCWD, a.parent.c_str(), a.tmpfile_flags, 0600)
                                     : ::openat(AT_FDCWD, a.path.c_str(), a.open_flags);
        if (fd < 0) return errno;
        ::close(fd);
        return 0;
    }
    case AttemptKind::Mkdir: {
        // glibc's own calls (mkdir, not mkdirat, where the ABI has it): the
        // filters judge them as they judge the program's.
        if (::mkdir(a.path.c_str(), 0700) < 0) return errno;
        if (::rmdir(a.path.c_str()) < 0) cleanup_error = errno;
        return 0;
    }
    case AttemptKind::Exec: return sys::execve_check(a.path.c_str());
    case AttemptKind::Chdir: return ::chdir(a.path.c_str()) < 0 ? errno : 0;
    case AttemptKind::None: break;
    }
    return ENOSYS;
}

[[noreturn]] void run_child(const ChildContext& c, const Attempt& a, int sock, Report& report) {
    report.phase = Phase::Setup;
    int error = 0;
    auto stop = [&](ContextStep step) {
        report.failed_step = step;
        report.step_error = error;
        ::_exit(0);
    };
    if (ContextStep s = enter_place(c, error, report.cgroup_failures); s != ContextStep::None) stop(s);
    if (a.kind == AttemptKind::Mkdir) {
        report.refusal = prepare_mkdir(a, sock);
        if (report.refusal != Refusal::None) ::_exit(0);
    }
    // Nothing of fdscope's stays open: the attempt sees a near-empty fd
    // table, and no descriptor of ours can be reached through the subject's
    // filters or credentials.
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    if (ContextStep s = enter_credentials(c, error); s != ContextStep::None) stop(s);
    if (a.kind == AttemptKind::Open || a.kind == AttemptKind::OpenOrCreate) {
        report.refusal = check_open_target(a, report);
        if (report.refusal != Refusal::None) ::_exit(0);
        if (ContextStep s = fill_fd_table(c, error); s != ContextStep::None) stop(s);
    }
    if (ContextStep s = enter_seccomp(c, error); s != ContextStep::None) stop(s);
    report.phase = Phase::Attempting;
    int cleanup_error = 0;
    int result = attempt(a, report, cleanup_error);
    report.error = result;
    report.cleanup_error = cleanup_error;
    report.phase = Phase::Done;
    ::_exit(0);
}

// Waits for the child, killing it after kTimeoutMs: 0, or the signal that ended it
// (-1: it was killed for taking too long).
int wait_child(pid_t child) {
    sys::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, child, 0)));
    bool timed_out = false;
    if (pidfd) {
        pollfd p{pidfd.get(), POLLIN, 0};
        int r;
        while ((r = ::poll(&p, 1, kTimeoutMs)) < 0 && errno == EINTR) {}
        if (r == 0) {
            timed_out = true;
            ::kill(child, SIGKILL);
        }
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    if (timed_out) return -1;
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

std::string type_name(unsigned type) {
    switch (type) {
    case S_IFDIR: return "a directory";
    case S_IFIFO: return "a FIFO (an open would wait for the other end)";
    case S_IFCHR: return "a character device (its driver acts on open)";
    case S_IFBLK: return "a block device (its driver acts on open)";
    case S_IFSOCK: return "a socket (open refuses it)";
    default: return "not a regular file";
    }
}

ProbeResult not_run(std::string why) {
    ProbeResult r;
    r.failure = std::move(why);
    return r;
}

// The parent's reading of the report.
ProbeResult interpret(const Report& rep, int signal, const Attempt& a, const Subject& s, ProbeResult r) {
    if (signal == -1) return not_run("the probe child took longer than 10 s and was killed (a hung filesystem?)");
    if (rep.failed_step != ContextStep::None)
        return not_run(std::string("the probe child could not take on the subject: ") +
                       context_step_name(rep.failed_step) + ": " + std::strerror(rep.step_error));
    switch (rep.refusal) {
    case Refusal::None: break;
    case Refusal::NotRegular: return not_run("not tried: " + a.path + " is " + type_name(rep.file_type));
    case Refusal::ExistsExclusive: return not_run("not tried: the name exists and O_EXCL was asked (EEXIST)");
    case Refusal::AppendOnlyParent:
        return not_run("not tried: " + a.parent + " is append-only, the probe's directory could not be removed");
    case Refusal::CleanupFd: return not_run("not tried: could not keep a hold on " + a.parent + " for the cleanup");
    }
    if (rep.phase == Phase::Setup)
        return not_run(signal ? "the probe child died of signal " + std::to_string(signal) + " while setting up"
                              : "the probe child stopped before its attempt");
    if (rep.cgroup_failures) add_note(r.not_reproduced, std::to_string(rep.cgroup_failures) + " of its cgroups (not joined)");
    if (rep.phase == Phase::Attempting) {
        r.ran = true;
        r.signal = signal;
        r.how += signal == SIGSYS ? "; killed by SIGSYS (a seccomp KILL or TRAP action)"
                                  : "; killed by signal " + std::to_string(signal);
        return r;
    }
    if (rep.made_tmpfile && (rep.error == EOPNOTSUPP || rep.error == EISDIR))
        return not_run("not probed: the filesystem of " + a.parent + " has no O_TMPFILE");
    if (rep.error == ENOSYS && s.seccomp_filters && filters_may_defer(*s.seccomp_filters))
        return not_run("not probed: ENOSYS may come from a seccomp TRACE/USER_NOTIF filter without its tracer or supervisor");
    if (rep.made_tmpfile) r.how += "; the name is absent: O_TMPFILE in " + a.parent;
    if (rep.cleanup_error) add_note(r.not_reproduced, std::string("rmdir failed (") + std::strerror(rep.cleanup_error) + ")");
    r.ran = true;
    r.error = rep.error;
    return r;
}

}  // namespace

ProbeResult probe(const Operation& operation, const Subject& subject) {
    const Attempt a = plan_attempt(operation, random_letters());
    if (a.kind == AttemptKind::None) return not_run(a.reason);
    if (a.kind == AttemptKind::Exec && !sys::kernel_has_execve_check())
        return not_run("not probed: this kernel has no execveat(AT_EXECVE_CHECK) (Linux >= 6.14)");

    ChildContext context;
    if (std::string why = prepare_context(subject, context); !why.empty()) return not_run("probe child: " + why);

    ProbeResult result;
    result.how = "probe child " + child_identity(subject) + ": " + attempt_text(a);
    result.not_reproduced = child_not_reproduced(subject, a);
    add_note(result.not_reproduced, context.not_reproduced);

    void* page = ::mmap(nullptr, sizeof(Report), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) return not_run(std::string("probe child: mmap: ") + std::strerror(errno));
    auto* report = new (page) Report{};
    int socks[2] = {-1, -1};
    if (::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, socks) < 0) {
        ::munmap(page, sizeof(Report));
        return not_run(std::string("probe child: socketpair: ") + std::strerror(errno));
    }
    sys::UniqueFd ours(socks[0]), theirs(socks[1]);

    pid_t child = ::fork();
    if (child < 0) {
        ::munmap(page, sizeof(Report));
        return not_run(std::string("probe child: fork: ") + std::strerror(errno));
    }
    if (child == 0) run_child(context, a, theirs.get(), *report);
    theirs = sys::UniqueFd();
    const int signal = wait_child(child);
    const Report rep = *report;
    ::munmap(page, sizeof(Report));

    // A child killed between mkdir and rmdir leaves its directory: remove it
    // (ENOENT is the usual answer, the child removed it itself).
    if (a.kind == AttemptKind::Mkdir)
        if (sys::UniqueFd dir = receive_fd(ours.get()); dir && ::unlinkat(dir.get(), a.name.c_str(), AT_REMOVEDIR) == 0)
            add_note(result.not_reproduced, "the probe's directory was left behind and removed by fdscope");
    return interpret(rep, signal, a, subject, std::move(result));
}

}  // namespace fdscope::why
