// The seccomp layer on hand-built filters: which variant is refused, which
// one glibc issues, and what each action means for the verdict.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include <cstddef>

#include "bpf_builders.hpp"
#include "process_facts.hpp"
#include "report/why/layers.hpp"

namespace fdscope::report::why {
namespace {

using namespace testing;
using Prog = std::vector<sock_filter>;

// On x86_64 numbers, `action` for syscall `nr`; everything else allowed.
Prog refuse(long nr, std::uint32_t action) { return deny_on(AUDIT_ARCH_X86_64, nr, action, SECCOMP_RET_ALLOW); }

Prog allow_all() { return {stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)}; }

Facts filtered(Op op, std::vector<Prog> filters) {
    Facts f = user_process(op);
    f.subject.seccomp_mode = 2;
    f.subject.seccomp_filter_count = static_cast<std::uint32_t>(filters.size());
    f.subject.seccomp_filters = std::move(filters);
    f.subject.audit_arches = {AUDIT_ARCH_X86_64};
    return f;
}

std::optional<Check> by_name(const std::vector<Check>& checks, const std::string& name) {
    for (const auto& c : checks)
        if (c.path == name) return c;
    return std::nullopt;
}

TEST(SeccompRules, FilterOnMkdiratAloneDoesNotStopGlibcMkdir) {
    const Facts f = filtered(Op::Mkdir, {refuse(SYS_mkdirat, SECCOMP_RET_ERRNO | EPERM)});
    const auto checks = seccomp_checks(f);
    const auto mkdir = by_name(checks, "mkdir");
    const auto mkdirat = by_name(checks, "mkdirat");
    ASSERT_TRUE(mkdir && mkdirat);
    EXPECT_EQ(mkdir->result, Result::Pass);
    EXPECT_EQ(mkdirat->result, Result::Note) << "glibc does not issue mkdirat for mkdir()";
    EXPECT_EQ(mkdirat->error, EPERM);
    EXPECT_NE(mkdirat->detail.find("x86_64 nr 258: ERRNO(EPERM) (filter 0 of 1, 7 insns, pc 5)"), std::string::npos)
        << mkdirat->detail;
    EXPECT_NE(mkdirat->explain.find("mkdir() is allowed; mkdirat() is refused (ERRNO(EPERM))"), std::string::npos)
        << mkdirat->explain;
    // x32's mkdirat carries the x32 bit: this filter lets it through.
    EXPECT_NE(mkdirat->detail.find("x32 nr 0x40000102: ALLOW (1 filter)"), std::string::npos) << mkdirat->detail;
    const Verdict v = verdict_from(checks, f);
    EXPECT_EQ(v.outcome, Outcome::Allowed);
}

TEST(SeccompRules, FilterOnMkdirRefusesTheGlibcVariant) {
    const Facts f = filtered(Op::Mkdir, {refuse(SYS_mkdir, SECCOMP_RET_ERRNO | EPERM)});
    const auto checks = seccomp_checks(f);
    const auto mkdir = by_name(checks, "mkdir");
    ASSERT_TRUE(mkdir);
    EXPECT_EQ(mkdir->result, Result::Fail);
    EXPECT_EQ(mkdir->error, EPERM);
    EXPECT_EQ(mkdir->layer, Layer::Seccomp);
    EXPECT_NE(mkdir->explain.find("mkdir() is refused (ERRNO(EPERM)); mkdirat() is allowed"), std::string::npos)
        << mkdir->explain;
    EXPECT_NE(mkdir->fix.find("SystemCallFilter"), std::string::npos);
    EXPECT_NE(mkdir->fix.find("app.service"), std::string::npos) << mkdir->fix;
    EXPECT_EQ(by_name(checks, "mkdirat")->result, Result::Pass);
    const Verdict v = verdict_from(checks, f);
    EXPECT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EPERM);
}

TEST(SeccompRules, ForeignArchitecturesKilledStayInTheDetail) {
    // The usual filter: anything but x86_64 is killed.
    Facts f = filtered(Op::Mkdir, {deny_on(AUDIT_ARCH_X86_64, SYS_mkdir, SECCOMP_RET_ERRNO | EPERM,
                                           SECCOMP_RET_KILL_PROCESS)});
    f.subject.audit_arches.clear();  // unknown: every ABI, x86_64 its own
    const auto checks = seccomp_checks(f);
    const auto mkdirat = by_name(checks, "mkdirat");
    ASSERT_TRUE(mkdirat);
    EXPECT_EQ(mkdirat->result, Result::Pass) << mkdirat->explain;
    EXPECT_NE(mkdirat->detail.find("i386 nr 296: KILL_PROCESS (filter 0 of 1, 7 insns, pc 2)"), std::string::npos)
        << mkdirat->detail;
    EXPECT_EQ(by_name(checks, "mkdir")->error, EPERM);
}

TEST(SeccompRules, NewestFilterThatDecidesIsNamed) {
    const Facts f = filtered(Op::Mkdir, {allow_all(), refuse(SYS_mkdir, SECCOMP_RET_ERRNO | EACCES)});
    const auto mkdir = by_name(seccomp_checks(f), "mkdir");
    ASSERT_TRUE(mkdir);
    EXPECT_EQ(mkdir->error, EACCES);
    EXPECT_NE(mkdir->detail.find("filter 1 of 2, 7 insns, pc 5"), std::string::npos) << mkdir->detail;
}

TEST(SeccompRules, KillIsAFailureWithoutErrno) {
    const Facts f = filtered(Op::Mkdir, {refuse(SYS_mkdir, SECCOMP_RET_KILL_PROCESS)});
    const auto mkdir = by_name(seccomp_checks(f), "mkdir");
    ASSERT_TRUE(mkdir);
    EXPECT_EQ(mkdir->result, Result::Fail);
    EXPECT_EQ(mkdir->error, 0);
    EXPECT_NE(mkdir->explain.find("KILL_PROCESS, killed by SIGSYS"), std::string::npos) << mkdir->explain;
}

TEST(SeccompRules, UserNotifIsDecidedByTheSupervisor) {
    Facts f = filtered(Op::Mkdir, {refuse(SYS_mkdir, SECCOMP_RET_USER_NOTIF)});
    f.lsm.seccomp_supervisors = {holder(900, "supervisord", 5, "seccomp notify")};
    const auto checks = seccomp_checks(f);
    const auto mkdir = by_name(checks, "mkdir");
    ASSERT_TRUE(mkdir);
    EXPECT_EQ(mkdir->result, Result::Unknown);
    ASSERT_EQ(mkdir->holders.size(), 1u);
    EXPECT_EQ(mkdir->holders[0].pid, 900);
    EXPECT_NE(mkdir->explain.find("decided by a supervisor: pid 900 (supervisord) fd 5"), std::string::npos)
        << mkdir->explain;
    EXPECT_EQ(verdict_from(checks, f).outcome, Outcome::Unknown);
}

TEST(SeccompRules, TraceWithoutTracerIsEnosys) {
    Facts f = filtered(Op::Mkdir, {refuse(SYS_mkdir, SECCOMP_RET_TRACE | 7)});
    EXPECT_EQ(by_name(seccomp_checks(f), "mkdir")->error, ENOSYS);
    f.subject.tracer_pid = 77;
    EXPECT_EQ(by_name(seccomp_checks(f), "mkdir")->result, Result::Unknown);
}

TEST(SeccompRules, OpenChecksTheFlagsFilterSees) {
    // openat with O_CREAT in args[2]: EACCES.
    const Prog p = deny_flags(SYS_openat, 2, O_CREAT, SECCOMP_RET_ERRNO | EACCES);
    Facts f = filtered(Op::Open, {p});
    EXPECT_EQ(by_name(seccomp_checks(f), "openat")->result, Result::Pass) << "a plain read open";
    f.operation.open.write = f.operation.open.create = true;
    const auto openat = by_name(seccomp_checks(f), "openat");
    EXPECT_EQ(openat->result, Result::Fail);
    EXPECT_EQ(openat->error, EACCES);
}

TEST(SeccompRules, FiltersNotReadMakeItUnknown) {
    Facts f = user_process(Op::Mkdir);
    f.subject.seccomp_mode = 2;
    f.subject.seccomp_filter_count = 1;
    f.subject.seccomp_unreadable = "PTRACE_SECCOMP_GET_FILTER: EACCES (fdscope runs under seccomp)";
    const auto checks = seccomp_checks(f);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_EQ(checks[0].result, Result::Unknown);
    EXPECT_NE(checks[0].explain.find("fdscope runs under seccomp"), std::string::npos);
}

TEST(SeccompRules, StrictModeAllowsOnlyReadAndWrite) {
    Facts f = user_process(Op::Write);
    f.subject.seccomp_mode = 1;
    f.subject.audit_arches = {AUDIT_ARCH_X86_64};
    f.operation.fd = 1;
    const auto checks = seccomp_checks(f);
    EXPECT_EQ(by_name(checks, "write")->result, Result::Pass);
    EXPECT_EQ(by_name(checks, "writev")->result, Result::Note);
    EXPECT_NE(by_name(checks, "writev")->explain.find("SIGKILL"), std::string::npos);
    f.operation.op = Op::Mkdir;
    EXPECT_EQ(by_name(seccomp_checks(f), "mkdir")->result, Result::Fail);
}

TEST(SeccompRules, ThreadsThatDifferAreNoted) {
    Facts f = filtered(Op::Mkdir, {allow_all()});
    EXPECT_EQ(seccomp_checks(f).back().result, Result::Pass);
    f.subject.threads_differ = true;
    f.subject.tid = 4243;
    const auto checks = seccomp_checks(f);
    EXPECT_EQ(checks.back().result, Result::Note);
    EXPECT_NE(checks.back().detail.find("thread 4243"), std::string::npos);
}

TEST(SeccompRules, NoFilterPasses) {
    const auto checks = seccomp_checks(user_process(Op::Open));
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_EQ(checks[0].result, Result::Pass);
}

TEST(SeccompRules, AnInvalidFilterIsUnknown) {
    const Facts f = filtered(Op::Mkdir, {Prog{stmt(BPF_LD | BPF_W | BPF_ABS, 3), stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)}});
    EXPECT_EQ(by_name(seccomp_checks(f), "mkdir")->result, Result::Unknown);
}

}  // namespace
}  // namespace fdscope::report::why
