// --in-target: the attempt made by one thread of the subject itself, so
// that everything the kernel consults is the subject's own: its seccomp
// filters, Landlock domain, LSM label, securebits, fd table. The thread is
// held through ptrace (sys::TracedThread) and runs raw syscalls; whatever
// an attempt opens or makes is closed or removed by the same thread before
// it is let go, and the tracer checks file types through /proc/PID/fd
// before anything but an O_PATH open touches a file.
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <vector>

#include "sys/execve_check.hpp"
#include "sys/traced_thread.hpp"
#include "sys/unique_fd.hpp"
#include "why/probe.hpp"
#include "why/probe_common.hpp"
#include "why/probe_plan.hpp"

namespace fdscope::why {

namespace {

// The strings and arrays an attempt passes, laid out for the thread's
// memory: path, parent, argv {path, NULL}, envp {NULL}.
struct Scratch {
    std::vector<unsigned char> bytes;
    std::size_t path = 0, parent = 0, argv = 0, envp = 0;
};

Scratch layout(const Attempt& a) {
    Scratch s;
    auto put = [&s](const std::string& text) {
        std::size_t at = s.bytes.size();
        s.bytes.insert(s.bytes.end(), text.begin(), text.end());
        s.bytes.push_back(0);
        return at;
    };
    s.path = put(a.path);
    s.parent = put(a.parent.empty() ? std::string(".") : a.parent);
    while (s.bytes.size() % 8) s.bytes.push_back(0);
    s.argv = s.bytes.size();
    s.bytes.resize(s.bytes.size() + 3 * sizeof(std::uint64_t), 0);  // argv[0], argv[1] = NULL, envp[0] = NULL
    s.envp = s.argv + 2 * sizeof(std::uint64_t);
    return s;
}

void set_pointer(Scratch& s, std::size_t at, std::uint64_t value) { std::memcpy(s.bytes.data() + at, &value, sizeof value); }

// One attempt in a held thread.
class InTarget {
public:
    InTarget(sys::TracedThread& thread, pid_t pid, std::uint64_t base, const Scratch& scratch)
        : thread_(thread), pid_(pid), base_(base), s_(scratch) {}

    pid_t pid() const { return pid_; }
    std::uint64_t path() const { return base_ + s_.path; }
    std::uint64_t parent() const { return base_ + s_.parent; }
    std::uint64_t argv() const { return base_ + s_.argv; }
    std::uint64_t envp() const { return base_ + s_.envp; }

    // The syscall's raw result; "" or why it could not be run.
    std::string call(long nr, std::array<std::uint64_t, 6> args, long& ret) {
        bool trapped = false;
        std::string why = thread_.run_syscall(nr, args, ret, trapped);
        if (why.empty() && trapped) trapped_ = true;
        return why;
    }
    bool trapped() const { return trapped_; }

    // O_PATH open in the thread, then the tracer's look through /proc/PID/fd:
    // the fd (closed again in the thread) tells what the name is.
    std::string look(std::uint64_t name, int extra_flags, long& error, struct stat& st, sys::UniqueFd* dir_out) {
        long fd = 0;
        if (auto why = call(SYS_openat, {static_cast<std::uint64_t>(AT_FDCWD), name,
                                         static_cast<std::uint64_t>(O_PATH | O_CLOEXEC | extra_flags), 0, 0, 0},
                            fd);
            !why.empty())
            return why;
        if (trapped_) return "";
        if (fd < 0) {
            error = -fd;
            return "";
        }
        error = 0;
        std::string link = "/proc/" + std::to_string(pid_) + "/fd/" + std::to_string(fd);
        if (::stat(link.c_str(), &st) < 0) error = -1;
        if (dir_out) *dir_out = sys::UniqueFd(::open(link.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        long ignored = 0;
        return call(SYS_close, {static_cast<std::uint64_t>(fd), 0, 0, 0, 0, 0}, ignored);
    }

private:
    sys::TracedThread& thread_;
    pid_t pid_;
    std::uint64_t base_;
    const Scratch& s_;
    bool trapped_ = false;
};

ProbeResult not_run(std::string why) {
    ProbeResult r;
    r.failure = std::move(why);
    return r;
}

// A lookup that fails on the walk fails the real attempt the same way.
bool walk_error(long e) { return e == ENOENT || e == EACCES || e == ENOTDIR || e == ELOOP || e == ENAMETOOLONG; }

// When the thread's own O_PATH lookup is refused for another reason (its
// seccomp filter answers openat with an errno, whatever the flags), the
// tracer looks from outside: the absolute path resolved inside the
// process's root (RESOLVE_IN_ROOT: its absolute symlinks stay in it) as
// root. 0 and `st`, or the errno; relative paths are not looked up this way.
long look_from_outside(pid_t pid, const std::string& path, bool nofollow, struct stat& st) {
    if (path.empty() || path[0] != '/') return EINVAL;
    sys::UniqueFd root(::open(("/proc/" + std::to_string(pid) + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return errno;
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const std::string inside = path.substr(path.find_first_not_of('/') == std::string::npos ? path.size() : path.find_first_not_of('/'));
    sys::UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, root.get(), inside.empty() ? "." : inside.c_str(), &how, sizeof how)));
    if (!fd) return errno;
    return ::fstat(fd.get(), &st) < 0 ? errno : 0;
}

std::string type_refusal(const struct stat& st, bool directories_too) {
    if (S_ISREG(st.st_mode) || (directories_too && S_ISDIR(st.st_mode))) return "";
    if (S_ISFIFO(st.st_mode)) return "a FIFO (an open would wait for the other end)";
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return "a device (its driver acts on open)";
    if (S_ISDIR(st.st_mode)) return "a directory";
    return "not a regular file";
}

struct Outcome {
    std::string failure;    // not tried, or the thread could not be made to try
    long error = 0;         // tried: the errno (0: allowed)
    bool trapped = false;   // tried: a seccomp TRAP answered with SIGSYS
    std::string note;       // on how
};

Outcome refused(std::string why) {
    Outcome o;
    o.failure = std::move(why);
    return o;
}

Outcome run_open(InTarget& t, const Attempt& a) {
    Outcome o;
    long error = 0;
    struct stat st{};
    if (auto why = t.look(t.path(), a.open_flags & O_NOFOLLOW, error, st, nullptr); !why.empty()) return refused(why);
    if (t.trapped()) return o;
    bool tmpfile = false;
    if (error == 0) {
        if (a.kind == AttemptKind::OpenOrCreate && a.exclusive) return refused("not tried: the name exists and O_EXCL was asked (EEXIST)");
        if (auto refusal = type_refusal(st, a.directories_too); !refusal.empty()) return refused("not tried: " + a.path + " is " + refusal);
    } else if (a.kind == AttemptKind::OpenOrCreate && error == ENOENT) {
        tmpfile = true;
    } else if (!walk_error(error)) {
        const long outside = look_from_outside(t.pid(), a.path, a.open_flags & O_NOFOLLOW, st);
        if (outside == 0) {
            if (auto refusal = type_refusal(st, a.directories_too); !refusal.empty()) return refused("not tried: " + a.path + " is " + refusal);
        } else if (outside == ENOENT && a.kind == AttemptKind::OpenOrCreate) {
            tmpfile = true;
        } else if (outside != ENOENT) {
            return refused(std::string("not tried: its O_PATH lookup answered ") + std::strerror(static_cast<int>(error)) +
                           " and the name could not be looked at from outside");
        }
    }
    long fd = 0;
    const std::uint64_t name = tmpfile ? t.parent() : t.path();
    const int flags = tmpfile ? a.tmpfile_flags : a.open_flags;
    if (auto why = t.call(SYS_openat, {static_cast<std::uint64_t>(AT_FDCWD), name, static_cast<std::uint64_t>(flags), 0600, 0, 0}, fd);
        !why.empty())
        return refused(why);
    if (t.trapped()) return o;
    if (fd >= 0) {
        long ignored = 0;
        if (auto why = t.call(SYS_close, {static_cast<std::uint64_t>(fd), 0, 0, 0, 0, 0}, ignored); !why.empty())
            return refused("the fd it opened could not be closed: " + why);
        o.error = 0;
    } else {
        if (tmpfile && (-fd == EOPNOTSUPP || -fd == EISDIR)) return refused("not probed: the filesystem of " + a.parent + " has no O_TMPFILE");
        o.error = -fd;
    }
    if (tmpfile) o.note = "the name is absent: O_TMPFILE in " + a.parent;
    return o;
}

// The call glibc's mkdir() (make) or rmdir() makes, the legacy one where
// the ABI has it: the seccomp layer judges that one, and the attempt must
// meet the filters as the program would.
struct Call {
    long nr;
    std::array<std::uint64_t, 6> args;
};
Call directory_call(InTarget& t, bool make) {
#if defined(SYS_mkdir) && defined(SYS_rmdir)
    return make ? Call{SYS_mkdir, {t.path(), 0700, 0, 0, 0, 0}} : Call{SYS_rmdir, {t.path(), 0, 0, 0, 0, 0}};
#else
    const auto cwd = static_cast<std::uint64_t>(AT_FDCWD);
    return make ? Call{SYS_mkdirat, {cwd, t.path(), 0700, 0, 0, 0}}
                : Call{SYS_unlinkat, {cwd, t.path(), AT_REMOVEDIR, 0, 0, 0}};
#endif
}

Outcome run_mkdir(InTarget& t, const Attempt& a) {
    Outcome o;
    long error = 0;
    struct stat st{};
    sys::UniqueFd dir;
    if (auto why = t.look(t.parent(), O_DIRECTORY, error, st, &dir); !why.empty()) return refused(why);
    if (t.trapped()) return o;
    int attrs = 0;
    if (dir && ::ioctl(dir.get(), FS_IOC_GETFLAGS, &attrs) == 0 && (attrs & FS_APPEND_FL))
        return refused("not tried: " + a.parent + " is append-only, the probe's directory could not be removed");
    if (error == 0 && !dir) return refused("not tried: could not keep a hold on " + a.parent + " for the cleanup");
    long r = 0;
    const Call make = directory_call(t, true);
    if (auto why = t.call(make.nr, make.args, r); !why.empty()) {
        if (dir) ::unlinkat(dir.get(), a.name.c_str(), AT_REMOVEDIR);
        return refused(why);
    }
    if (t.trapped()) return o;
    if (r < 0) {
        o.error = -r;
        return o;
    }
    long removed = 0;
    const Call remove = directory_call(t, false);
    std::string why = t.call(remove.nr, remove.args, removed);
    if ((!why.empty() || removed < 0) && dir && ::unlinkat(dir.get(), a.name.c_str(), AT_REMOVEDIR) == 0)
        o.note = "its rmdir failed; fdscope removed the directory";
    return o;
}

Outcome run_exec(InTarget& t) {
    Outcome o;
    long r = 0;
    if (auto why = t.call(SYS_execveat, {static_cast<std::uint64_t>(AT_FDCWD), t.path(), t.argv(), t.envp(), AT_EXECVE_CHECK, 0}, r);
        !why.empty())
        return refused(why);
    o.error = r < 0 ? -r : 0;
    return o;
}

// chdir changes the thread's cwd: it goes back through an O_PATH fd of the old one.
Outcome run_chdir(InTarget& t) {
    Outcome o;
    long old = 0;
    if (auto why = t.call(SYS_openat, {static_cast<std::uint64_t>(AT_FDCWD), t.parent(),
                                       static_cast<std::uint64_t>(O_PATH | O_DIRECTORY | O_CLOEXEC), 0, 0, 0},
                          old);
        !why.empty())
        return refused(why);
    if (t.trapped()) return o;
    if (old < 0) return refused(std::string("not tried: its cwd could not be held: ") + std::strerror(static_cast<int>(-old)));
    long r = 0;
    std::string why = t.call(SYS_chdir, {t.path(), 0, 0, 0, 0, 0}, r);
    long back = 0, ignored = 0;
    if (why.empty() && r == 0) why = t.call(SYS_fchdir, {static_cast<std::uint64_t>(old), 0, 0, 0, 0, 0}, back);
    std::string closed = t.call(SYS_close, {static_cast<std::uint64_t>(old), 0, 0, 0, 0, 0}, ignored);
    if (!why.empty()) return refused(why);
    if (back < 0) return refused("its cwd could not be restored after the chdir");
    if (!closed.empty()) return refused(closed);
    o.error = r < 0 ? -r : 0;
    return o;
}

}  // namespace

ProbeResult probe_in_target(const Operation& operation, const Subject& subject, bool seccomp_allows) {
    if (subject.kind != SubjectKind::Process) return not_run("--in-target needs a process subject (-p)");
#if !defined(__x86_64__)
    return not_run("--in-target is written for x86_64 only");
#endif
    if (::geteuid() != 0) return not_run("--in-target needs root (ptrace of another user's process)");
    if (!seccomp_allows)
        return not_run("not tried in the target: its seccomp filters may kill, trap or hold the attempt's syscalls");
    // Whatever the caller concluded: strict mode kills on openat, and
    // filters that were never read cannot have been evaluated.
    if (subject.seccomp_mode == 1) return not_run("not tried in the target: seccomp strict mode would kill it");
    if (subject.seccomp_mode == 2 && !subject.seccomp_filters)
        return not_run("not tried in the target: its seccomp filters were not read");
    Attempt a = plan_attempt(operation, random_letters());
    if (a.kind == AttemptKind::Chdir) a.parent = ".";  // where the thread comes back to
    if (a.kind == AttemptKind::None) return not_run(a.reason);
    if (a.kind == AttemptKind::Exec && !sys::kernel_has_execve_check())
        return not_run("not probed: this kernel has no execveat(AT_EXECVE_CHECK) (Linux >= 6.14)");

    const pid_t tid = subject.tid ? subject.tid : subject.pid;
    sys::TracedThread thread;
    if (std::string why = thread.attach(subject.pid, tid); !why.empty()) return not_run("in target: " + why);
    Scratch scratch = layout(a);
    const std::uint64_t base = thread.scratch_address(scratch.bytes.size());
    set_pointer(scratch, scratch.argv, base + scratch.path);
    std::string why = thread.stage(scratch.bytes, base);
    Outcome o;
    if (why.empty()) {
        InTarget t(thread, subject.pid, base, scratch);
        switch (a.kind) {
        case AttemptKind::Open:
        case AttemptKind::OpenOrCreate: o = run_open(t, a); break;
        case AttemptKind::Mkdir: o = run_mkdir(t, a); break;
        case AttemptKind::Exec: o = run_exec(t); break;
        case AttemptKind::Chdir: o = run_chdir(t); break;
        case AttemptKind::None: break;
        }
        if (t.trapped() && o.failure.empty()) o.note = "trapped by seccomp (SIGSYS, withheld from the target)";
        o.trapped = t.trapped();
    } else {
        o.failure = why;
    }
    std::string released = thread.release();
    ProbeResult r;
    r.how = "in target thread " + std::to_string(tid) + ": " + attempt_text(a);
    if (!o.note.empty()) r.how += "; " + o.note;
    r.not_reproduced = a.not_copied;
    if (!released.empty()) add_note(r.not_reproduced, "letting the thread go: " + released);
    if (!o.failure.empty()) {
        r.failure = o.failure;
        return r;
    }
    r.ran = true;
    if (o.trapped) r.signal = SIGSYS;
    else r.error = static_cast<int>(o.error);
    return r;
}

}  // namespace fdscope::why
