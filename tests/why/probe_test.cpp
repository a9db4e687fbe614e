// The probe child against real kernel situations: a process subject
// (why_target as uid 65534, a child in its own mount namespace, a seccomp
// fixture), a user subject and the caller; each attempt must leave nothing.
#include "why/probe.hpp"

#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "support/support.hpp"
#include "sys/execve_check.hpp"
#include "why/probe_helpers.hpp"

namespace fdscope::why {
namespace {

using test::Fixture;
using test::TempTree;

#define REQUIRE_ROOT() \
    if (!test::is_root()) GTEST_SKIP() << "needs root (setns, setresuid, mounts)"

std::string describe(const ProbeResult& r) {
    return "ran=" + std::to_string(r.ran) + " error=" + std::to_string(r.error) + " signal=" + std::to_string(r.signal) +
           " how=[" + r.how + "] failure=[" + r.failure + "] not_reproduced=[" + r.not_reproduced + "]";
}

TEST(Probe, ReadAsAnUnprivilegedProcess) {
    REQUIRE_ROOT();
    TempTree tree;
    std::string secret = tree.file("secret", 0600), open = tree.file("open", 0644);
    Fixture target("why_target", {"--uid", "65534"});
    Subject s = test::subject_of(target.facts()["pid"].get<pid_t>());
    ASSERT_EQ(s.euid, 65534u);

    ProbeResult denied = probe(test::open_op(secret), s);
    EXPECT_TRUE(denied.ran) << describe(denied);
    EXPECT_EQ(denied.error, EACCES) << describe(denied);
    EXPECT_NE(denied.how.find("uid 65534"), std::string::npos) << denied.how;
    EXPECT_NE(denied.not_reproduced.find("Landlock"), std::string::npos) << denied.not_reproduced;

    ProbeResult allowed = probe(test::open_op(open), s);
    EXPECT_TRUE(allowed.ran) << describe(allowed);
    EXPECT_EQ(allowed.error, 0) << describe(allowed);
}

TEST(Probe, CallerAndUserSubjects) {
    REQUIRE_ROOT();
    TempTree tree;
    std::string secret = tree.file("secret", 0600);
    ProbeResult as_root = probe(test::open_op(secret), test::caller_subject());
    EXPECT_TRUE(as_root.ran) << describe(as_root);
    EXPECT_EQ(as_root.error, 0) << describe(as_root);
    ProbeResult as_nobody = probe(test::open_op(secret), test::user_subject(65534));
    EXPECT_TRUE(as_nobody.ran) << describe(as_nobody);
    EXPECT_EQ(as_nobody.error, EACCES) << describe(as_nobody);
    ProbeResult write_nobody = probe(test::open_op(secret, true), test::user_subject(65534));
    EXPECT_EQ(write_nobody.error, EACCES) << describe(write_nobody);
}

TEST(Probe, WriteOnAReadOnlyBindMountOnlyInTheProcessNamespace) {
    REQUIRE_ROOT();
    TempTree tree;
    std::string dir = tree.dir("data", 0755);
    std::string file = tree.file("data/x", 0644, "keep me\n");
    test::NamespaceChild child([&] {
        return ::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) == 0 &&
               ::mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) == 0 &&
               ::chdir(dir.c_str()) == 0;
    });
    ASSERT_TRUE(child.ok());
    struct stat before{};
    ::stat(file.c_str(), &before);

    ProbeResult theirs = probe(test::open_op(file, true), test::subject_of(child.pid()));
    EXPECT_TRUE(theirs.ran) << describe(theirs);
    EXPECT_EQ(theirs.error, EROFS) << describe(theirs);
    ProbeResult ours = probe(test::open_op(file, true), test::caller_subject());
    EXPECT_TRUE(ours.ran) << describe(ours);
    EXPECT_EQ(ours.error, 0) << describe(ours);
    // A relative name starts from the process's cwd, inside the mount.
    ProbeResult relative = probe(test::open_op("x", true), test::subject_of(child.pid()));
    EXPECT_TRUE(relative.ran) << describe(relative);
    EXPECT_EQ(relative.error, EROFS) << describe(relative);

    struct stat after{};
    ::stat(file.c_str(), &after);
    EXPECT_EQ(after.st_size, before.st_size);
    EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
}

TEST(Probe, TruncIsNeverApplied) {
    REQUIRE_ROOT();
    TempTree tree;
    std::string file = tree.file("x", 0644, "keep me\n");
    Operation op = test::open_op(file, true);
    op.open.trunc = true;
    ProbeResult r = probe(op, test::caller_subject());
    EXPECT_TRUE(r.ran) << describe(r);
    EXPECT_NE(r.not_reproduced.find("O_TRUNC"), std::string::npos) << r.not_reproduced;
    struct stat st{};
    ::stat(file.c_str(), &st);
    EXPECT_EQ(st.st_size, 8);
}

TEST(Probe, MkdirLeavesNothingBehind) {
    REQUIRE_ROOT();
    TempTree tree;
    std::string open_dir = tree.dir("open", 0777), closed_dir = tree.dir("closed", 0755);
    Fixture target("why_target", {"--uid", "65534"});
    Subject s = test::subject_of(target.facts()["pid"].get<pid_t>());

    ProbeResult made = probe(test::path_op(Op::Mkdir, open_dir + "/new"), s);
    EXPECT_TRUE(made.ran) << describe(made);
    EXPECT_EQ(made.error, 0) << describe(made);
    EXPECT_TRUE(test::entries(open_dir).empty());

    ProbeResult refused = probe(test::path_op(Op::Mkdir, closed_dir + "/new"), s);
    EXPECT_TRUE(refused.ran) << describe(refused);
    EXPECT_EQ(refused.error, EACCES) << describe(refused);
    EXPECT_TRUE(test::entries(closed_dir).empty());
}

TEST(Probe, MkdirIsNotTriedInAnAppendOnlyDirectory) {
    REQUIRE_ROOT();
    TempTree tree;
    std::string dir = tree.dir("log", 0777);
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    int flags = 0;
    if (::ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0) {
        ::close(fd);
        GTEST_SKIP() << "the filesystem of /tmp has no inode flags";
    }
    int append = flags | FS_APPEND_FL;
    if (::ioctl(fd, FS_IOC_SETFLAGS, &append) < 0) {
        ::close(fd);
        GTEST_SKIP() << "chattr +a refused here";
    }
    ProbeResult r = probe(test::path_op(Op::Mkdir, dir + "/new"), test::caller_subject());
    ::ioctl(fd, FS_IOC_SETFLAGS, &flags);
    ::close(fd);
    EXPECT_FALSE(r.ran) << describe(r);
    EXPECT_NE(r.failure.find("append-only"), std::string::npos) << r.failure;
    EXPECT_TRUE(test::entries(dir).empty());
}

TEST(Probe, CreateIsTriedAsOTmpfileAndLeavesNothing) {
    REQUIRE_ROOT();
    TempTree tree;
    std::string open_dir = tree.dir("open", 0777), closed_dir = tree.dir("closed", 0755);
    Subject nobody = test::user_subject(65534);
    Operation op = test::open_op(open_dir + "/new", true);
    op.open.create = true;
    ProbeResult made = probe(op, nobody);
    if (!made.ran && made.failure.find("O_TMPFILE") != std::string::npos) GTEST_SKIP() << made.failure;
    EXPECT_TRUE(made.ran) << describe(made);
    EXPECT_EQ(made.error, 0) << describe(made);
    EXPECT_NE(made.how.find("O_TMPFILE"), std::string::npos) << made.how;
    EXPECT_TRUE(test::entries(open_dir).empty());

    op.path = closed_dir + "/new";
    ProbeResult refused = probe(op, nobody);
    EXPECT_TRUE(refused.ran) << describe(refused);
    EXPECT_EQ(refused.error, EACCES) << describe(refused);
    EXPECT_TRUE(test::entries(closed_dir).empty());
}

TEST(Probe, ExecOnANoexecMountInTheProcessNamespace) {
    REQUIRE_ROOT();
    if (!sys::kernel_has_execve_check()) GTEST_SKIP() << "this kernel has no execveat(AT_EXECVE_CHECK) (Linux >= 6.14)";
    TempTree tree;
    std::string dir = tree.dir("bin", 0755);
    std::string tool = dir + "/tool";
    test::NamespaceChild child([&] {
        if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOEXEC, "size=1m") != 0) return false;
        int fd = ::open(tool.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
        const char script[] = "#!/bin/sh\nexit 0\n";
        bool ok = fd >= 0 && ::write(fd, script, sizeof script - 1) == static_cast<ssize_t>(sizeof script - 1);
        if (fd >= 0) ::close(fd);
        return ok;
    });
    ASSERT_TRUE(child.ok());
    Subject s = test::subject_of(child.pid());
    ProbeResult noexec = probe(test::path_op(Op::Exec, tool), s);
    EXPECT_TRUE(noexec.ran) << describe(noexec);
    EXPECT_EQ(noexec.error, EACCES) << describe(noexec);
    ProbeResult fine = probe(test::path_op(Op::Exec, "/bin/true"), s);
    EXPECT_TRUE(fine.ran) << describe(fine);
    EXPECT_EQ(fine.error, 0) << describe(fine);
    // The caller does not see the mount: the name is absent for it.
    ProbeResult ours = probe(test::path_op(Op::Exec, tool), test::caller_subject());
    EXPECT_EQ(ours.error, ENOENT) << describe(ours);
}

TEST(Probe, SeccompFiltersAreInstalledLast) {
    REQUIRE_ROOT();
    TempTree tree;
    std::string open = tree.file("open", 0644);
    Fixture target("seccomp_deny_openat");
    Subject s = test::subject_of(target.facts()["pid"].get<pid_t>());
    ASSERT_EQ(s.seccomp_mode, 2);
    ASSERT_TRUE(s.no_new_privs);

    ProbeResult unread = probe(test::open_op(open), s);
    EXPECT_FALSE(unread.ran) << describe(unread);
    EXPECT_NE(unread.failure.find("seccomp"), std::string::npos) << unread.failure;

    s.seccomp_filters = std::vector<std::vector<sock_filter>>{test::filter_from(target.facts())};
    ProbeResult filtered = probe(test::open_op(open), s);
    EXPECT_TRUE(filtered.ran) << describe(filtered);
    EXPECT_EQ(filtered.error, EPERM) << describe(filtered);
}

TEST(Probe, ASeccompKillIsReportedAsSIGSYS) {
    REQUIRE_ROOT();
    TempTree tree;
    std::string open = tree.file("open", 0644);
    Subject s = test::caller_subject();
    s.kind = SubjectKind::Process;
    s.no_new_privs = true;
    s.seccomp_mode = 2;
    // openat -> KILL_PROCESS, everything else allowed.
    std::vector<sock_filter> kill_openat = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 257, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 0x80000000u),
        BPF_STMT(BPF_RET | BPF_K, 0x7fff0000u),
    };
    s.seccomp_filters = std::vector<std::vector<sock_filter>>{kill_openat};
    ProbeResult r = probe(test::open_op(open), s);
    EXPECT_TRUE(r.ran) << describe(r);
    EXPECT_EQ(r.signal, SIGSYS) << describe(r);
    EXPECT_NE(r.how.find("SIGSYS"), std::string::npos) << r.how;
}

TEST(Probe, NonRegularFilesAreNotOpened) {
    REQUIRE_ROOT();
    TempTree tree;
    std::string fifo = tree.path + "/fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0666), 0);
    ProbeResult r = probe(test::open_op(fifo, true), test::caller_subject());
    EXPECT_FALSE(r.ran) << describe(r);
    EXPECT_NE(r.failure.find("FIFO"), std::string::npos) << r.failure;
    ProbeResult dev = probe(test::open_op("/dev/null"), test::caller_subject());
    EXPECT_FALSE(dev.ran) << describe(dev);
}

TEST(Probe, OperationsThatChangeThingsAreNotTried) {
    for (Op op : {Op::Unlink, Op::Rename, Op::Link, Op::Symlink, Op::Rmdir, Op::BindInet, Op::BindUnix, Op::ConnectUnix,
                  Op::Read, Op::Write}) {
        ProbeResult r = probe(test::path_op(op, "/tmp/x"), test::caller_subject());
        EXPECT_FALSE(r.ran);
        EXPECT_NE(r.failure.find("not tried"), std::string::npos) << r.failure;
    }
    ProbeResult connect = probe(test::path_op(Op::ConnectUnix, "/run/x.sock"), test::caller_subject());
    EXPECT_NE(connect.failure.find("accept"), std::string::npos) << connect.failure;
}

TEST(Probe, AVanishedProcessIsNotProbed) {
    pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0);
    Subject s = test::user_subject(65534);
    s.kind = SubjectKind::Process;
    s.pid = child;
    ProbeResult r = probe(test::open_op("/etc/hostname"), s);
    EXPECT_FALSE(r.ran);
    EXPECT_FALSE(r.failure.empty());
}

}  // namespace
}  // namespace fdscope::why

namespace fdscope::why {
namespace {

// A process that is root in a user namespace mapping 0..65535 to host
// 100000..165535: its CAP_DAC_OVERRIDE does not reach a host-root file
// (owner unmapped) but does reach a file of host uid 100000 (its root).
class UserNamespaceChild {
public:
    UserNamespaceChild() {
        int up[2], down[2];
        if (::pipe2(up, O_CLOEXEC) < 0 || ::pipe2(down, O_CLOEXEC) < 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            char c = ::unshare(CLONE_NEWUSER) == 0 ? 'U' : 'E';
            if (::write(up[1], &c, 1) < 0 || ::read(down[0], &c, 1) != 1) ::_exit(1);
            bool good = ::syscall(SYS_setgroups, 0, nullptr) == 0 && ::syscall(SYS_setresgid, 0, 0, 0) == 0 &&
                        ::syscall(SYS_setresuid, 0, 0, 0) == 0;
            c = good ? 'R' : 'E';
            if (::write(up[1], &c, 1) < 0) ::_exit(1);
            for (;;) ::pause();
        }
        char c = 0;
        if (::read(up[0], &c, 1) != 1 || c != 'U') return;
        const std::string proc = "/proc/" + std::to_string(pid_);
        for (const char* map : {"/uid_map", "/gid_map"}) {
            int fd = ::open((proc + map).c_str(), O_WRONLY | O_CLOEXEC);
            const char line[] = "0 100000 65536\n";
            if (fd < 0 || ::write(fd, line, sizeof line - 1) < 0) return;
            ::close(fd);
        }
        c = 'G';
        ok_ = ::write(down[1], &c, 1) == 1 && ::read(up[0], &c, 1) == 1 && c == 'R';
        for (int fd : {up[0], up[1], down[0], down[1]}) ::close(fd);
    }
    ~UserNamespaceChild() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {}
        }
    }
    UserNamespaceChild(const UserNamespaceChild&) = delete;
    UserNamespaceChild& operator=(const UserNamespaceChild&) = delete;
    pid_t pid() const { return pid_; }
    bool ok() const { return ok_; }

private:
    pid_t pid_ = -1;
    bool ok_ = false;
};

TEST(Probe, RootInAUserNamespaceIsNotRootForUnmappedOwners) {
    REQUIRE_ROOT();
    UserNamespaceChild child;
    if (!child.ok()) GTEST_SKIP() << "could not build a user namespace here";
    TempTree tree;
    std::string host_root = tree.file("host-root", 0600);
    std::string theirs = tree.file("theirs", 0600);
    ASSERT_EQ(::chown(theirs.c_str(), 100000, 100000), 0);
    Subject s = test::subject_of(child.pid());
    ASSERT_EQ(s.euid, 100000u);

    ProbeResult denied = probe(test::open_op(host_root), s);
    EXPECT_TRUE(denied.ran) << describe(denied);
    EXPECT_EQ(denied.error, EACCES) << describe(denied);
    ProbeResult allowed = probe(test::open_op(theirs, true), s);
    EXPECT_TRUE(allowed.ran) << describe(allowed);
    EXPECT_EQ(allowed.error, 0) << describe(allowed);

    s.euid = 5;  // not mapped there: the probe must refuse, not guess
    ProbeResult unmapped = probe(test::open_op(theirs), s);
    EXPECT_FALSE(unmapped.ran) << describe(unmapped);
    EXPECT_NE(unmapped.failure.find("not mapped"), std::string::npos) << unmapped.failure;
}

}  // namespace
}  // namespace fdscope::why

namespace fdscope::why {
namespace {

// Run as uid 65534 without capabilities, the probe cannot enter another
// process's namespaces: it must say so rather than answer for itself.
TEST(Probe, WithoutPrivilegeItSaysWhyInsteadOfAWrongErrno) {
    REQUIRE_ROOT();
    TempTree tree;
    std::string file = tree.file("x", 0666);
    test::NamespaceChild child([] { return true; });
    ASSERT_TRUE(child.ok());
    Subject s = test::subject_of(child.pid());
    int p[2];
    ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
    pid_t helper = ::fork();
    if (helper == 0) {
        ::close(p[0]);
        std::string out = "setresuid failed";
        if (::syscall(SYS_setgroups, 0, nullptr) == 0 && ::syscall(SYS_setresgid, 65534, 65534, 65534) == 0 &&
            ::syscall(SYS_setresuid, 65534, 65534, 65534) == 0) {
            ProbeResult r = probe(test::open_op(file, true), s);
            out = std::string(r.ran ? "ran " : "not run ") + r.failure;
        }
        if (::write(p[1], out.data(), out.size()) < 0) {}
        ::_exit(0);
    }
    ::close(p[1]);
    std::string got;
    char buf[512];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0) got.append(buf, static_cast<std::size_t>(n));
    ::close(p[0]);
    ::waitpid(helper, nullptr, 0);
    EXPECT_TRUE(got.starts_with("not run probe child: ")) << got;
}

}  // namespace
}  // namespace fdscope::why
