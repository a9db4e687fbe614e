// The limit layer: EMFILE and ENFILE before an open's walk (and socket()'s),
// RLIMIT_NPROC and pids.max around exec.
#include <gtest/gtest.h>

#include <linux/capability.h>

#include "process_facts.hpp"
#include "report/why/layers.hpp"

namespace fdscope::report::why {
namespace {

using namespace testing;

Facts at_fd_limit() {
    Facts f = user_process(Op::Open);
    f.subject.limits.nofile_soft = 1024;
    f.subject.limits.nofile_hard = 4096;
    f.subject.fd_count = 1024;
    f.fd_groups = {holder(4242, "app", -1, "1,000 sockets"), holder(4242, "app", -1, "24 regular files")};
    return f;
}

TEST(LimitRules, EmfileAtTheLimit) {
    const Facts f = at_fd_limit();
    const auto checks = limit_checks(f);
    ASSERT_FALSE(checks.empty());
    const Check& c = checks.front();
    EXPECT_EQ(c.layer, Layer::Limit);
    EXPECT_EQ(c.result, Result::Fail);
    EXPECT_EQ(c.error, EMFILE);
    EXPECT_EQ(c.holders.size(), 2u);
    EXPECT_NE(c.detail.find("fds 1,024/1,024 (RLIMIT_NOFILE soft 1,024, hard 4,096)"), std::string::npos) << c.detail;
    EXPECT_NE(c.explain.find("1,000 sockets"), std::string::npos) << c.explain;
    EXPECT_NE(c.fix.find("prlimit --pid 4242 --nofile=2048:4096"), std::string::npos) << c.fix;
    EXPECT_NE(c.fix.find("LimitNOFILE="), std::string::npos) << c.fix;
    EXPECT_EQ(verdict_from(checks, f).error, EMFILE);
}

TEST(LimitRules, TheCallerRaisesItInItsShell) {
    Facts f = at_fd_limit();
    f.subject.kind = SubjectKind::Caller;
    const Check c = limit_checks(f).front();
    EXPECT_EQ(c.error, EMFILE);
    EXPECT_NE(c.fix.find("ulimit -n 4096"), std::string::npos) << c.fix;
    EXPECT_NE(c.explain.find("uid 1001 (you)"), std::string::npos) << c.explain;
}

TEST(LimitRules, OneBelowTheLimitPasses) {
    Facts f = at_fd_limit();
    f.subject.fd_count = 1023;
    EXPECT_EQ(limit_checks(f).front().result, Result::Pass);
}

TEST(LimitRules, AFreeNumberBelowTheLimitPassesWhateverTheCount) {
    Facts f = at_fd_limit();
    f.subject.lowest_free_fd = 1000;  // fds numbered past 1023 make up the count
    const Check c = limit_checks(f).front();
    EXPECT_EQ(c.result, Result::Pass);
    EXPECT_NE(c.detail.find("fd 1000 is free"), std::string::npos) << c.detail;
    f.subject.lowest_free_fd = 1024;
    EXPECT_EQ(limit_checks(f).front().error, EMFILE);
}

TEST(LimitRules, SocketsTakeAnFdToo) {
    Facts f = at_fd_limit();
    f.operation.op = Op::BindInet;
    EXPECT_EQ(limit_checks(f).front().error, EMFILE);
    f.operation.op = Op::Mkdir;
    EXPECT_TRUE(limit_checks(f).empty()) << "mkdir takes no fd";
}

TEST(LimitRules, EnfileWhenTheFileTableIsFull) {
    Facts f = user_process(Op::Open);
    f.sysctls.file_nr = 100000;
    f.sysctls.file_max = 100000;
    f.file_holders = {holder(812, "leaker", -1, "90,000 handles")};
    const auto checks = limit_checks(f);
    ASSERT_EQ(checks.size(), 2u);
    EXPECT_EQ(checks[0].result, Result::Pass) << "EMFILE comes first and passes";
    EXPECT_EQ(checks[1].result, Result::Fail);
    EXPECT_EQ(checks[1].error, ENFILE);
    EXPECT_EQ(checks[1].holders.size(), 1u);
    EXPECT_NE(checks[1].fix.find("fs.file-max=200000"), std::string::npos) << checks[1].fix;
    // CAP_SYS_ADMIN in the initial namespace passes fs.file-max.
    f.subject.cap_effective = 1ull << CAP_SYS_ADMIN;
    EXPECT_EQ(limit_checks(f)[1].result, Result::Pass);
    f.subject.init_user_ns = false;
    EXPECT_EQ(limit_checks(f)[1].result, Result::Fail) << "capable() means the initial user namespace";
}

TEST(LimitRules, UnreadLimitsAreUnknownButAFreshLoginHasNoFds) {
    Facts f = user_process(Op::Open);
    f.subject.fd_count.reset();
    EXPECT_EQ(limit_checks(f).front().result, Result::Unknown);
    f.subject.kind = SubjectKind::User;
    EXPECT_EQ(limit_checks(f).front().result, Result::Skip);
}

TEST(LimitRules, ExecNotesNprocAndPidsMax) {
    Facts f = user_process(Op::Exec);
    f.subject.limits.nproc_soft = 100;
    f.subject.user_tasks = 100;
    f.cgroup.known = true;
    f.cgroup.path = "/system.slice/app.service";
    f.cgroup.pids_max = 50;
    f.cgroup.pids_current = 50;
    const auto checks = limit_checks(f);
    ASSERT_EQ(checks.size(), 2u);
    EXPECT_EQ(checks[0].layer, Layer::Limit);
    EXPECT_EQ(checks[0].result, Result::Note);
    EXPECT_EQ(checks[0].error, EAGAIN);
    EXPECT_EQ(checks[1].layer, Layer::Cgroup);
    EXPECT_EQ(checks[1].result, Result::Note);
    EXPECT_EQ(checks[1].error, EAGAIN);
    EXPECT_NE(checks[1].fix.find("systemctl set-property app.service TasksMax=100"), std::string::npos) << checks[1].fix;
    EXPECT_EQ(verdict_from(checks, f).outcome, Outcome::Allowed) << "notes do not refuse the exec";
    f.subject.user_tasks = 99;
    f.cgroup.pids_current = 49;
    const auto below = limit_checks(f);
    EXPECT_EQ(below[0].result, Result::Pass);
    EXPECT_EQ(below[1].result, Result::Pass);
}

}  // namespace
}  // namespace fdscope::report::why
