// The subject's seccomp filters read from a real sandboxed process, judged
// by the interpreter the seccomp layer uses, and the reasons given when
// they cannot be read.
#include "why/seccomp_dump.hpp"

#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "procfs/parse_trace_status.hpp"
#include "report/why/seccomp_filter.hpp"
#include "support/support.hpp"
#include "why/forked_child.hpp"

namespace fdscope::why {
namespace {

using test::Fixture;

seccomp_data syscall_data(int nr) {
    seccomp_data d{};
    d.nr = nr;
    d.arch = AUDIT_ARCH_X86_64;
    return d;
}

procfs::TraceStatus status_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::stringstream ss;
    ss << in.rdbuf();
    return procfs::parse_trace_status(ss.str()).value_or(procfs::TraceStatus{});
}

TEST(WhySeccompDump, ReadsTheFilterLibseccompLoaded) {
    if (!test::is_root()) GTEST_SKIP() << "needs CAP_SYS_ADMIN (root)";
    Fixture fx("seccomp_deny_mkdirat");
    const pid_t pid = fx.facts()["pid"];
    ASSERT_EQ(fx.facts()["mkdirat_errno"], EPERM);
    SeccompFacts f = read_seccomp(pid, pid);
    ASSERT_TRUE(f.filters) << f.unreadable;
    // As many filters as the kernel counts, holding what libseccomp exported.
    EXPECT_EQ(f.filters->size(), status_of(pid).seccomp_filters);
    ASSERT_EQ(f.filters->size(), 1u);
    const auto& exported = fx.facts()["filter"];
    const auto& prog = f.filters->front();
    ASSERT_EQ(prog.size(), exported.size());
    for (std::size_t i = 0; i < prog.size(); ++i) {
        EXPECT_EQ(prog[i].code, exported[i][0]) << "insn " << i;
        EXPECT_EQ(prog[i].jt, exported[i][1]) << "insn " << i;
        EXPECT_EQ(prog[i].jf, exported[i][2]) << "insn " << i;
        EXPECT_EQ(prog[i].k, exported[i][3]) << "insn " << i;
    }
#if defined(__x86_64__)
    auto denied = report::why::decide(*f.filters, syscall_data(__NR_mkdirat));
    ASSERT_TRUE(denied.valid) << denied.error;
    EXPECT_EQ(report::why::action_text(denied.value), "ERRNO(" + std::to_string(EPERM) + ")");
    EXPECT_EQ(denied.filter, 0u);
    // The legacy mkdir number is a different syscall to the filter.
    auto legacy = report::why::decide(*f.filters, syscall_data(__NR_mkdir));
    EXPECT_TRUE(report::why::allows(legacy.value));
#endif
    // Left as found: running, untraced, its filters unchanged.
    const auto after = status_of(pid);
    EXPECT_EQ(after.tracer_pid, 0);
    EXPECT_EQ(after.seccomp_filters, 1u);
    EXPECT_NE(after.state, 't');
}

TEST(WhySeccompDump, GatherFillsTheSubject) {
    if (!test::is_root()) GTEST_SKIP() << "needs CAP_SYS_ADMIN (root)";
    Fixture fx("seccomp_deny_mkdirat");
    Subject s;
    s.kind = SubjectKind::Process;
    s.pid = fx.facts()["pid"];
    gather_seccomp(s);
    ASSERT_TRUE(s.seccomp_filters) << s.seccomp_unreadable;
    EXPECT_EQ(s.seccomp_filters->size(), 1u);
#if defined(__x86_64__)
    EXPECT_EQ(s.audit_arches, (std::vector<std::uint32_t>{AUDIT_ARCH_X86_64, AUDIT_ARCH_I386}));
#endif
}

TEST(WhySeccompDump, AProcessWithoutFiltersNeedsNoPtrace) {
    Fixture fx("flat");
    const pid_t pid = fx.facts()["pid"];
    SeccompFacts f = read_seccomp(pid, pid);
    ASSERT_TRUE(f.filters) << f.unreadable;
    EXPECT_TRUE(f.filters->empty());
}

TEST(WhySeccompDump, ATracedTargetNamesItsTracer) {
    if (!test::is_root()) GTEST_SKIP() << "needs CAP_SYS_ADMIN (root)";
    Fixture fx("seccomp_deny_mkdirat");
    const pid_t pid = fx.facts()["pid"];
    ASSERT_EQ(::ptrace(PTRACE_SEIZE, pid, nullptr, nullptr), 0);
    SeccompFacts f = read_seccomp(pid, pid);
    EXPECT_FALSE(f.filters);
    EXPECT_EQ(f.unreadable, "cannot read: pid " + std::to_string(pid) + " is traced by pid " + std::to_string(::getpid()));
    // Let it go as it was: interrupt, wait for the stop, detach.
    ASSERT_EQ(::ptrace(PTRACE_INTERRUPT, pid, nullptr, nullptr), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, __WALL), pid);
    ASSERT_EQ(::ptrace(PTRACE_DETACH, pid, nullptr, nullptr), 0);
}

// /proc/PID/syscall names the syscall a sleeping task is in; there is no
// event for "now blocked", hence a bounded poll.
bool blocked_in(pid_t pid, long nr) {
    for (int i = 0; i < 5000; ++i) {
        std::ifstream in("/proc/" + std::to_string(pid) + "/syscall");
        long got = -1;
        if (in >> got && got == nr) return true;
        ::usleep(1000);
    }
    return false;
}

TEST(WhySeccompDump, ABlockedReadIsUntouched) {
    if (!test::is_root()) GTEST_SKIP() << "needs CAP_SYS_ADMIN (root)";
    Fixture fx("seccomp_deny_mkdirat", {"--fifo"});
    const pid_t pid = fx.facts()["pid"];
    ASSERT_TRUE(blocked_in(pid, SYS_read));
    SeccompFacts f = read_seccomp(pid, pid);
    ASSERT_TRUE(f.filters) << f.unreadable;
    EXPECT_EQ(f.filters->size(), 1u);
    // The read goes on after the stop: it gets the data, errno as it was.
    const std::string path = fx.facts()["fifo"];
    int w = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(w, 0);
    ASSERT_EQ(::write(w, "hello", 5), 5);
    ::close(w);
    const auto got = fx.next_line();
    EXPECT_EQ(got["read"], 5);
    EXPECT_EQ(got["errno"], EXDEV);
    EXPECT_EQ(got["data"], "hello");
}

TEST(WhySeccompDump, FromUnderSeccompTheReasonIsGiven) {
    if (!test::is_root()) GTEST_SKIP() << "needs CAP_SYS_ADMIN (root)";
    Fixture fx("seccomp_deny_mkdirat");
    const pid_t pid = fx.facts()["pid"];
    // A child of ours confines itself, then asks.
    testing::ForkedChild asker([pid]() -> std::string {
        sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        sock_fprog prog{1, &allow};
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
            return testing::failed("seccomp");
        SeccompFacts f = read_seccomp(pid, pid);
        return f.filters ? std::string("read anyway") : f.unreadable;
    });
    EXPECT_EQ(asker.line(), "cannot read: fdscope runs under seccomp (the kernel hands filters only to an unconfined tracer)");
}

TEST(WhySeccompDump, FailureSentences) {
    sys::SeccompDump d;
    d.failed = sys::SeccompDump::Step::GetFilter;
    d.err = EACCES;
    EXPECT_EQ(dump_failure(42, d), "cannot read: fdscope lacks CAP_SYS_ADMIN or runs under seccomp");
    d.err = ESRCH;
    EXPECT_EQ(dump_failure(42, d), "cannot read: pid 42 exited");
    d.failed = sys::SeccompDump::Step::Seize;
    d.err = EPERM;
    EXPECT_NE(dump_failure(42, d).find("ptrace of pid 42 refused"), std::string::npos);
}

TEST(WhySeccompDump, AUserHasNoFilters) {
    Subject s;
    s.kind = SubjectKind::User;
    gather_seccomp(s);
    ASSERT_TRUE(s.seccomp_filters);
    EXPECT_TRUE(s.seccomp_filters->empty());
}

}  // namespace
}  // namespace fdscope::why
