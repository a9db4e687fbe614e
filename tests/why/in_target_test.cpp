// --in-target: one thread of why_target made to run the attempt through
// ptrace. After it the thread must be as it was: its blocking read()
// resumed (it gets the pipe's data), errno untouched, a signal sent while it
// was held delivered exactly once, its fd table and stack unchanged.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "support/support.hpp"
#include "sys/execve_check.hpp"
#include "sys/traced_thread.hpp"
#include "why/probe.hpp"
#include "why/probe_helpers.hpp"

namespace fdscope::why {
namespace {

using test::Fixture;
using test::TempTree;

#define REQUIRE_ROOT_X86() \
    if (!test::is_root()) GTEST_SKIP() << "needs root (ptrace)"; \
    if (!kX86_64) GTEST_SKIP() << "--in-target is x86_64 only"

#if defined(__x86_64__)
constexpr bool kX86_64 = true;
#else
constexpr bool kX86_64 = false;
#endif

std::string describe(const ProbeResult& r) {
    return "ran=" + std::to_string(r.ran) + " error=" + std::to_string(r.error) + " signal=" + std::to_string(r.signal) +
           " how=[" + r.how + "] failure=[" + r.failure + "]";
}

char thread_state(pid_t pid, pid_t tid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto paren = text.rfind(')');
    return paren == std::string::npos || paren + 2 >= text.size() ? '?' : text[paren + 2];
}

void expect_same_stack(const std::vector<unsigned char>& before, const std::vector<unsigned char>& after) {
    ASSERT_EQ(before.size(), after.size());
    for (std::size_t i = 0; i < before.size(); ++i)
        if (before[i] != after[i]) ADD_FAILURE() << "the stack differs " << (before.size() - i) << " bytes from its top";
}

// The target, its reader thread blocked in read().
struct Target {
    Fixture fixture;
    pid_t pid, tid;
    explicit Target(const std::vector<std::string>& args)
        : fixture("why_target", args), pid(fixture.facts()["pid"].get<pid_t>()), tid(fixture.facts()["tid"].get<pid_t>()) {}

    Subject subject() const {
        Subject s = test::subject_of(pid);
        s.tid = tid;
        return s;
    }
    // The reader's stack mapping, but for its rseq area (the kernel's to write).
    std::vector<unsigned char> stack() const {
        const auto base = fixture.facts()["stack"].get<std::uintptr_t>();
        std::vector<unsigned char> bytes(fixture.facts()["stack_size"].get<std::size_t>());
        iovec local{bytes.data(), bytes.size()};
        iovec remote{reinterpret_cast<void*>(base), bytes.size()};
        if (::process_vm_readv(pid, &local, 1, &remote, 1, 0) != static_cast<ssize_t>(bytes.size())) bytes.clear();
        const auto rseq = fixture.facts()["rseq"].get<std::uintptr_t>();
        const auto rseq_size = fixture.facts()["rseq_size"].get<std::size_t>();
        for (std::size_t i = 0; i < rseq_size; ++i)
            if (rseq + i >= base && rseq + i - base < bytes.size()) bytes[rseq + i - base] = 0;
        return bytes;
    }
    // Wakes the reader with `text` through the pipe's write end; its report.
    nlohmann::json feed(const std::string& text) {
        std::string end = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fixture.facts()["pipe_write_fd"].get<int>());
        int fd = ::open(end.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) return {};
        ::close(fd);
        for (;;) {
            nlohmann::json line = fixture.next_line();
            if (line.contains("read")) return line;
        }
    }
};

TEST(InTarget, ReadsAsTheTargetAndLeavesItAsItWas) {
    REQUIRE_ROOT_X86();
    TempTree tree;
    std::string secret = tree.file("secret", 0600), open = tree.file("open", 0644);
    Target t({"--uid", "65534"});
    ASSERT_TRUE(test::wait_in_read(t.pid, t.tid));
    auto fds = test::fd_names(t.pid);
    auto stack = t.stack();
    ASSERT_FALSE(stack.empty());

    ProbeResult allowed = probe_in_target(test::open_op(open), t.subject(), true);
    EXPECT_TRUE(allowed.ran) << describe(allowed);
    EXPECT_EQ(allowed.error, 0) << describe(allowed);
    EXPECT_NE(allowed.how.find("in target thread " + std::to_string(t.tid)), std::string::npos) << allowed.how;
    ProbeResult denied = probe_in_target(test::open_op(secret), t.subject(), true);
    EXPECT_TRUE(denied.ran) << describe(denied);
    EXPECT_EQ(denied.error, EACCES) << describe(denied);

    EXPECT_EQ(test::fd_names(t.pid), fds);
    expect_same_stack(stack, t.stack());
    EXPECT_TRUE(test::wait_in_read(t.pid, t.tid));
    nlohmann::json done = t.feed("hello");
    EXPECT_EQ(done["read"], "hello");
    EXPECT_EQ(done["errno"], 1234);
    EXPECT_EQ(done["usr1"], 0);
}

TEST(InTarget, ASignalSentWhileTheThreadIsHeldIsDeliveredOnce) {
    REQUIRE_ROOT_X86();
    Target t({});
    ASSERT_TRUE(test::wait_in_read(t.pid, t.tid));
    auto stack = t.stack();
    sys::TracedThread thread;
    ASSERT_EQ(thread.attach(t.pid, t.tid), "");
    ASSERT_EQ(::syscall(SYS_tgkill, t.pid, t.tid, SIGUSR1), 0);
    long ret = 0;
    bool trapped = false;
    ASSERT_EQ(thread.run_syscall(SYS_gettid, {0, 0, 0, 0, 0, 0}, ret, trapped), "");
    EXPECT_EQ(ret, t.tid);
    EXPECT_FALSE(trapped);
    ASSERT_EQ(thread.run_syscall(SYS_getpid, {0, 0, 0, 0, 0, 0}, ret, trapped), "");
    EXPECT_EQ(ret, t.pid);
    ASSERT_EQ(thread.release(), "");

    EXPECT_EQ(t.fixture.next_line()["signal"], "SIGUSR1");
    ASSERT_TRUE(test::wait_in_read(t.pid, t.tid));
    expect_same_stack(stack, t.stack());
    nlohmann::json done = t.feed("after");
    EXPECT_EQ(done["read"], "after");
    EXPECT_EQ(done["errno"], 1234);
    EXPECT_EQ(done["usr1"], 1);
}

TEST(InTarget, AThreadOutsideAnySyscallRunsTheVdsosSyscallInstruction) {
    REQUIRE_ROOT_X86();
    TempTree tree;
    std::string open = tree.file("open", 0644);
    Target t({"--spin"});
    ProbeResult r = probe_in_target(test::open_op(open), t.subject(), true);
    EXPECT_TRUE(r.ran) << describe(r);
    EXPECT_EQ(r.error, 0) << describe(r);
    ASSERT_EQ(::syscall(SYS_tgkill, t.pid, t.tid, SIGUSR1), 0);
    EXPECT_EQ(t.fixture.next_line()["signal"], "SIGUSR1");
    nlohmann::json done = t.fixture.next_line();
    EXPECT_EQ(done["errno"], 1234);
    EXPECT_EQ(done["usr1"], 1);
}

TEST(InTarget, ASyscallThatHangsIsInterruptedAndTheThreadRestored) {
    REQUIRE_ROOT_X86();
    Target t({});
    ASSERT_TRUE(test::wait_in_read(t.pid, t.tid));
    sys::TracedThread thread;
    ASSERT_EQ(thread.attach(t.pid, t.tid), "");
    long ret = 0;
    bool trapped = false;
    std::string why = thread.run_syscall(SYS_pause, {0, 0, 0, 0, 0, 0}, ret, trapped);
    EXPECT_NE(why.find("interrupted"), std::string::npos) << why;
    ASSERT_EQ(thread.release(), "");
    ASSERT_TRUE(test::wait_in_read(t.pid, t.tid));
    nlohmann::json done = t.feed("late");
    EXPECT_EQ(done["read"], "late");
    EXPECT_EQ(done["errno"], 1234);
}

TEST(InTarget, StagedMemoryIsPutBack) {
    REQUIRE_ROOT_X86();
    Target t({});
    ASSERT_TRUE(test::wait_in_read(t.pid, t.tid));
    auto stack = t.stack();
    sys::TracedThread thread;
    ASSERT_EQ(thread.attach(t.pid, t.tid), "");
    std::vector<unsigned char> data(300, 0x5a);
    const std::uint64_t at = thread.scratch_address(data.size());
    ASSERT_EQ(thread.stage(data, at), "");
    EXPECT_NE(t.stack(), stack);  // the bytes really went into its stack
    ASSERT_EQ(thread.release(), "");
    EXPECT_EQ(t.stack(), stack);
    EXPECT_EQ(t.feed("x")["errno"], 1234);
}

TEST(InTarget, MkdirAndChdirLeaveTheTargetAsItWas) {
    REQUIRE_ROOT_X86();
    TempTree tree;
    std::string open_dir = tree.dir("open", 0777), closed_dir = tree.dir("closed", 0755);
    Target t({"--uid", "65534"});
    ASSERT_TRUE(test::wait_in_read(t.pid, t.tid));
    std::string cwd_link = "/proc/" + std::to_string(t.pid) + "/task/" + std::to_string(t.tid) + "/cwd";
    char before[512] = {};
    ASSERT_GT(::readlink(cwd_link.c_str(), before, sizeof before - 1), 0);

    ProbeResult made = probe_in_target(test::path_op(Op::Mkdir, open_dir + "/new"), t.subject(), true);
    EXPECT_TRUE(made.ran) << describe(made);
    EXPECT_EQ(made.error, 0) << describe(made);
    EXPECT_TRUE(test::entries(open_dir).empty());
    ProbeResult refused = probe_in_target(test::path_op(Op::Mkdir, closed_dir + "/new"), t.subject(), true);
    EXPECT_EQ(refused.error, EACCES) << describe(refused);

    ProbeResult into = probe_in_target(test::path_op(Op::Chdir, open_dir), t.subject(), true);
    EXPECT_TRUE(into.ran) << describe(into);
    EXPECT_EQ(into.error, 0) << describe(into);
    char after[512] = {};
    ASSERT_GT(::readlink(cwd_link.c_str(), after, sizeof after - 1), 0);
    EXPECT_STREQ(after, before);
    EXPECT_EQ(t.feed("x")["errno"], 1234);
}

TEST(InTarget, ExecIsCheckedNotExecuted) {
    REQUIRE_ROOT_X86();
    if (!sys::kernel_has_execve_check()) GTEST_SKIP() << "this kernel has no execveat(AT_EXECVE_CHECK) (Linux >= 6.14)";
    TempTree tree;
    std::string plain = tree.file("plain", 0644, "#!/bin/sh\nexit 0\n");
    Target t({"--uid", "65534"});
    ASSERT_TRUE(test::wait_in_read(t.pid, t.tid));
    auto fds = test::fd_names(t.pid);
    ProbeResult fine = probe_in_target(test::path_op(Op::Exec, "/bin/true"), t.subject(), true);
    EXPECT_TRUE(fine.ran) << describe(fine);
    EXPECT_EQ(fine.error, 0) << describe(fine);
    ProbeResult not_x = probe_in_target(test::path_op(Op::Exec, plain), t.subject(), true);
    EXPECT_EQ(not_x.error, EACCES) << describe(not_x);
    EXPECT_EQ(test::fd_names(t.pid), fds);
    nlohmann::json done = t.feed("still me");
    EXPECT_EQ(done["read"], "still me");
    EXPECT_EQ(done["errno"], 1234);
}

TEST(InTarget, LandlockIsSeenOnlyFromInside) {
    REQUIRE_ROOT_X86();
    TempTree tree;
    std::string open = tree.file("open", 0644);
    Target t({"--landlock"});
    if (!t.fixture.facts()["landlock"].get<bool>()) GTEST_SKIP() << "Landlock is not enabled in this kernel";
    ASSERT_TRUE(test::wait_in_read(t.pid, t.tid));
    ProbeResult child = probe(test::open_op(open), t.subject());
    EXPECT_TRUE(child.ran) << describe(child);
    EXPECT_EQ(child.error, 0) << describe(child);
    EXPECT_NE(child.not_reproduced.find("Landlock"), std::string::npos) << child.not_reproduced;
    ProbeResult inside = probe_in_target(test::open_op(open), t.subject(), true);
    EXPECT_TRUE(inside.ran) << describe(inside);
    EXPECT_EQ(inside.error, EACCES) << describe(inside);
    ProbeResult usr = probe_in_target(test::open_op("/usr/lib/os-release"), t.subject(), true);
    EXPECT_EQ(usr.error, 0) << describe(usr);
    EXPECT_EQ(t.feed("x")["errno"], 1234);
}

TEST(InTarget, SeccompFiltersOfTheTargetApply) {
    REQUIRE_ROOT_X86();
    TempTree tree;
    std::string open = tree.file("open", 0644);
    Fixture target("seccomp_deny_openat");
    Subject s = test::subject_of(target.facts()["pid"].get<pid_t>());
    s.seccomp_filters = std::vector<std::vector<sock_filter>>{test::filter_from(target.facts())};
    ProbeResult r = probe_in_target(test::open_op(open), s, true);
    EXPECT_TRUE(r.ran) << describe(r);
    EXPECT_EQ(r.error, EPERM) << describe(r);
}

TEST(InTarget, ASeccompTrapOfOursIsNotDeliveredToTheTarget) {
    REQUIRE_ROOT_X86();
    Fixture target("seccomp_deny_openat", {"--trap-getppid"});
    const pid_t pid = target.facts()["pid"].get<pid_t>();
    ASSERT_TRUE(test::wait_in_read(pid, pid));
    sys::TracedThread thread;
    ASSERT_EQ(thread.attach(pid, pid), "");
    long ret = 0;
    bool trapped = false;
    ASSERT_EQ(thread.run_syscall(SYS_getppid, {0, 0, 0, 0, 0, 0}, ret, trapped), "");
    EXPECT_TRUE(trapped);
    ASSERT_EQ(thread.release(), "");
    // Its SIGSYS would have killed it: it is still there, back in its read.
    EXPECT_TRUE(test::wait_in_read(pid, pid));
    EXPECT_NE(thread_state(pid, pid), 'Z');
}

TEST(InTarget, RefusesWhatItCannotDoSafely) {
    TempTree tree;
    std::string open = tree.file("open", 0644);
    ProbeResult user = probe_in_target(test::open_op(open), test::user_subject(65534), true);
    EXPECT_FALSE(user.ran);
    EXPECT_NE(user.failure.find("-p"), std::string::npos) << user.failure;
    if (!test::is_root()) return;
    Target t({});
    ProbeResult unchecked = probe_in_target(test::open_op(open), t.subject(), false);
    EXPECT_FALSE(unchecked.ran);
    EXPECT_NE(unchecked.failure.find("seccomp"), std::string::npos) << unchecked.failure;
    ProbeResult bind = probe_in_target(test::path_op(Op::BindUnix, "/tmp/s"), t.subject(), true);
    EXPECT_FALSE(bind.ran);
    Subject strict = t.subject();
    strict.seccomp_mode = 1;
    EXPECT_FALSE(probe_in_target(test::open_op(open), strict, true).ran);
    Subject unread = t.subject();
    unread.seccomp_mode = 2;
    EXPECT_FALSE(probe_in_target(test::open_op(open), unread, true).ran);
}

}  // namespace
}  // namespace fdscope::why

namespace fdscope::why {
namespace {

TEST(InTarget, AStoppedProcessStaysStopped) {
    REQUIRE_ROOT_X86();
    TempTree tree;
    std::string open = tree.file("open", 0644);
    Target t({});
    ASSERT_TRUE(test::wait_in_read(t.pid, t.tid));
    ASSERT_EQ(::kill(t.pid, SIGSTOP), 0);
    for (int i = 0; i < 5000 && thread_state(t.pid, t.tid) != 'T'; ++i) ::usleep(1000);
    ASSERT_EQ(thread_state(t.pid, t.tid), 'T');
    ProbeResult r = probe_in_target(test::open_op(open), t.subject(), true);
    EXPECT_TRUE(r.ran) << describe(r);
    EXPECT_EQ(r.error, 0) << describe(r);
    for (int i = 0; i < 5000 && thread_state(t.pid, t.tid) != 'T'; ++i) ::usleep(1000);
    EXPECT_EQ(thread_state(t.pid, t.tid), 'T');
    ASSERT_EQ(::kill(t.pid, SIGCONT), 0);
    ASSERT_TRUE(test::wait_in_read(t.pid, t.tid));
    nlohmann::json done = t.feed("go");
    EXPECT_EQ(done["read"], "go");
    EXPECT_EQ(done["errno"], 1234);
}

}  // namespace
}  // namespace fdscope::why
