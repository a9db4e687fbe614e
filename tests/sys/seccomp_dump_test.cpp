// Reading another thread's seccomp filters through ptrace, on real children
// that install filters with prctl, and proof that the target does not notice:
// a read() it is blocked in completes with its data and errno untouched, a
// signal pending for it is still delivered.
#include "sys/seccomp_dump.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace fdscope::sys {
namespace {

constexpr std::uint32_t kNrOffset = offsetof(seccomp_data, nr);

std::vector<sock_filter> deny_mkdirat() {
    return {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kNrOffset),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mkdirat, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
}
std::vector<sock_filter> allow_all() { return {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)}; }

bool install(std::vector<sock_filter> prog) {
    sock_fprog fprog{static_cast<unsigned short>(prog.size()), prog.data()};
    return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) == 0;
}

bool same(const std::vector<sock_filter>& a, const std::vector<sock_filter>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(sock_filter)) == 0;
}

void write_full(int fd, const void* p, std::size_t n) {
    ASSERT_EQ(::write(fd, p, n), static_cast<ssize_t>(n));
}

// A forked child that runs `body(cmd_fd, out_fd)` after writing one byte to
// the ready pipe. The test talks to it on cmd (its stdin-like pipe) and
// hears from it on out; the destructor kills and reaps it.
class Child {
public:
    explicit Child(const std::function<void(int, int)>& before_ready, const std::function<void(int, int)>& body) {
        int cmd[2], out[2], ready[2];
        if (::pipe2(cmd, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(ready, O_CLOEXEC)) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::close(cmd[1]);
            ::close(out[0]);
            ::close(ready[0]);
            before_ready(cmd[0], out[1]);
            char c = 'R';
            if (::write(ready[1], &c, 1) != 1) ::_exit(2);
            ::close(ready[1]);
            body(cmd[0], out[1]);
            ::_exit(0);
        }
        ::close(cmd[0]);
        ::close(out[1]);
        ::close(ready[1]);
        cmd_ = cmd[1];
        out_ = out[0];
        char c = 0;
        ready_ = ::read(ready[0], &c, 1) == 1 && c == 'R';
        ::close(ready[0]);
    }
    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            while (::waitpid(pid_, nullptr, __WALL) < 0 && errno == EINTR) {}
        }
        if (cmd_ >= 0) ::close(cmd_);
        if (out_ >= 0) ::close(out_);
    }
    pid_t pid() const { return pid_; }
    bool ready() const { return ready_; }
    int cmd() const { return cmd_; }
    int out() const { return out_; }

    // Waits (bounded: there is no event for it) until the child sleeps in
    // syscall `nr`, as /proc/PID/syscall says.
    bool blocked_in(long nr) const {
        const std::string path = "/proc/" + std::to_string(pid_) + "/syscall";
        for (int i = 0; i < 5000; ++i) {
            std::ifstream in(path);
            long got = -1;
            if (in >> got && got == nr) return true;
            timespec ts{0, 1000000};
            ::nanosleep(&ts, nullptr);
        }
        return false;
    }

private:
    pid_t pid_ = -1;
    int cmd_ = -1, out_ = -1;
    bool ready_ = false;
};

void block_on(int cmd) {
    char c;
    while (::read(cmd, &c, 1) < 0 && errno == EINTR) {}
}

bool root() { return ::geteuid() == 0; }

TEST(SeccompDump, ReadsStackedFiltersOldestFirst) {
    if (!root()) GTEST_SKIP() << "needs CAP_SYS_ADMIN (root)";
    Child child([](int, int) { if (!install(deny_mkdirat()) || !install(allow_all())) ::_exit(3); },
                [](int cmd, int) { block_on(cmd); });
    ASSERT_TRUE(child.ready());
    SeccompDump d = dump_seccomp_filters(child.pid());
    ASSERT_EQ(d.failed, SeccompDump::Step::Done) << step_name(d.failed) << ": " << std::strerror(d.err);
    ASSERT_EQ(d.filters.size(), 2u);
    EXPECT_TRUE(same(d.filters[0], deny_mkdirat()));
    EXPECT_TRUE(same(d.filters[1], allow_all()));
}

TEST(SeccompDump, AThreadWithoutFiltersIsNotInFilterMode) {
    if (!root()) GTEST_SKIP() << "needs CAP_SYS_ADMIN (root)";
    Child child([](int, int) {}, [](int cmd, int) { block_on(cmd); });
    ASSERT_TRUE(child.ready());
    SeccompDump d = dump_seccomp_filters(child.pid());
    EXPECT_EQ(d.failed, SeccompDump::Step::GetFilter);
    EXPECT_EQ(d.err, EINVAL);
    // And it was let go: it can be seized again.
    EXPECT_EQ(dump_seccomp_filters(child.pid()).failed, SeccompDump::Step::GetFilter);
}

TEST(SeccompDump, ABlockedReadCompletesWithItsDataAndErrno) {
    if (!root()) GTEST_SKIP() << "needs CAP_SYS_ADMIN (root)";
    // The child reads its command pipe with errno preset to a value no read
    // sets, then reports what read returned, the bytes and errno.
    Child child([](int, int) { if (!install(allow_all())) ::_exit(3); },
                [](int cmd, int out) {
                    char buf[16] = {};
                    errno = EXDEV;
                    ssize_t n = ::read(cmd, buf, sizeof buf);
                    int e = errno;
                    long report[2] = {static_cast<long>(n), e};
                    if (::write(out, report, sizeof report) != sizeof report) ::_exit(4);
                    if (n > 0 && ::write(out, buf, static_cast<std::size_t>(n)) != n) ::_exit(4);
                    char c;
                    while (::read(cmd, &c, 1) < 0 && errno == EINTR) {}
                });
    ASSERT_TRUE(child.ready());
    ASSERT_TRUE(child.blocked_in(SYS_read));
    SeccompDump d = dump_seccomp_filters(child.pid());
    ASSERT_EQ(d.failed, SeccompDump::Step::Done) << std::strerror(d.err);
    EXPECT_EQ(d.filters.size(), 1u);
    write_full(child.cmd(), "hello", 5);
    long report[2] = {};
    ASSERT_EQ(::read(child.out(), report, sizeof report), static_cast<ssize_t>(sizeof report));
    EXPECT_EQ(report[0], 5) << "read failed with " << std::strerror(static_cast<int>(report[1]));
    EXPECT_EQ(report[1], EXDEV);
    char data[6] = {};
    ASSERT_EQ(::read(child.out(), data, 5), 5);
    EXPECT_STREQ(data, "hello");
}

volatile sig_atomic_t g_got_usr1 = 0;

TEST(SeccompDump, APendingSignalIsStillDelivered) {
    if (!root()) GTEST_SKIP() << "needs CAP_SYS_ADMIN (root)";
    // SIGUSR1 blocked and pending while we dump; unblocked afterwards, its
    // handler must run.
    Child child(
        [](int, int) {
            struct sigaction sa {};
            sa.sa_handler = [](int) { g_got_usr1 = 1; };
            ::sigaction(SIGUSR1, &sa, nullptr);
            sigset_t set;
            sigemptyset(&set);
            sigaddset(&set, SIGUSR1);
            ::sigprocmask(SIG_BLOCK, &set, nullptr);
            if (!install(allow_all())) ::_exit(3);
        },
        [](int cmd, int out) {
            block_on(cmd);
            sigset_t pending;
            sigpending(&pending);
            char was_pending = sigismember(&pending, SIGUSR1) ? 'P' : '-';
            sigset_t set;
            sigemptyset(&set);
            sigaddset(&set, SIGUSR1);
            ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
            char got = g_got_usr1 ? 'D' : '-';
            char msg[2] = {was_pending, got};
            if (::write(out, msg, 2) != 2) ::_exit(4);
            block_on(cmd);
        });
    ASSERT_TRUE(child.ready());
    ASSERT_EQ(::kill(child.pid(), SIGUSR1), 0);
    ASSERT_TRUE(child.blocked_in(SYS_read));
    SeccompDump d = dump_seccomp_filters(child.pid());
    ASSERT_EQ(d.failed, SeccompDump::Step::Done) << std::strerror(d.err);
    write_full(child.cmd(), "x", 1);
    char msg[2] = {};
    ASSERT_EQ(::read(child.out(), msg, 2), 2);
    EXPECT_EQ(msg[0], 'P');
    EXPECT_EQ(msg[1], 'D');
}

TEST(SeccompDump, AnAlreadyTracedThreadCannotBeSeized) {
    if (!root()) GTEST_SKIP() << "needs CAP_SYS_ADMIN (root)";
    // PTRACE_TRACEME makes this test process the child's tracer; a second
    // attach, ours included, is refused.
    Child child([](int, int) { if (::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0 || !install(allow_all())) ::_exit(3); },
                [](int cmd, int) { block_on(cmd); });
    ASSERT_TRUE(child.ready());
    SeccompDump d = dump_seccomp_filters(child.pid());
    EXPECT_EQ(d.failed, SeccompDump::Step::Seize);
    EXPECT_EQ(d.err, EPERM);
}

TEST(SeccompDump, ATracerUnderSeccompIsRefused) {
    if (!root()) GTEST_SKIP() << "needs CAP_SYS_ADMIN (root)";
    Child target([](int, int) { if (!install(allow_all())) ::_exit(3); }, [](int cmd, int) { block_on(cmd); });
    ASSERT_TRUE(target.ready());
    const pid_t tid = target.pid();
    // A second child puts itself under seccomp and then tries to dump.
    Child tracer([](int, int) {},
                 [tid](int, int out) {
                     if (!install(allow_all())) ::_exit(3);
                     SeccompDump d = dump_seccomp_filters(tid);
                     int report[2] = {static_cast<int>(d.failed), d.err};
                     if (::write(out, report, sizeof report) != sizeof report) ::_exit(4);
                 });
    ASSERT_TRUE(tracer.ready());
    int report[2] = {};
    ASSERT_EQ(::read(tracer.out(), report, sizeof report), static_cast<ssize_t>(sizeof report));
    EXPECT_EQ(static_cast<SeccompDump::Step>(report[0]), SeccompDump::Step::GetFilter);
    EXPECT_EQ(report[1], EACCES);
    // The failed reader detached: the target can be read now.
    EXPECT_EQ(dump_seccomp_filters(tid).failed, SeccompDump::Step::Done);
}

TEST(SeccompDump, AGoneThreadSaysSo) {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    ASSERT_GT(pid, 0);
    ASSERT_EQ(::waitpid(pid, nullptr, 0), pid);
    SeccompDump d = dump_seccomp_filters(pid);
    EXPECT_EQ(d.failed, SeccompDump::Step::Seize);
    EXPECT_EQ(d.err, ESRCH);
}

TEST(SeccompDump, MachineArchesOnX86_64) {
#if defined(__x86_64__)
    EXPECT_EQ(machine_audit_arches(), (std::vector<std::uint32_t>{AUDIT_ARCH_X86_64, AUDIT_ARCH_I386}));
#else
    GTEST_SKIP() << "written for x86_64";
#endif
}

}  // namespace
}  // namespace fdscope::sys
