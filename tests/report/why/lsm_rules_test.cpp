// The lsm layer: active LSMs without an adapter's answer, Landlock under
// NoNewPrivs, fanotify permission listeners, and the plain pass.
#include <gtest/gtest.h>

#include <netinet/in.h>

#include "process_facts.hpp"
#include "report/why/layers.hpp"

namespace fdscope::report::why {
namespace {

using namespace testing;

TEST(LsmRules, NoFileLsmPasses) {
    const Facts f = user_process(Op::Open);
    const auto checks = lsm_checks(f);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_EQ(checks[0].result, Result::Pass);
    EXPECT_NE(checks[0].detail.find("lockdown,capability,landlock,bpf"), std::string::npos) << checks[0].detail;
}

TEST(LsmRules, LandlockWithNoNewPrivsIsUnknown) {
    Facts f = user_process(Op::Open);
    f.subject.no_new_privs = true;
    const auto checks = lsm_checks(f);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_EQ(checks[0].layer, Layer::Lsm);
    EXPECT_EQ(checks[0].result, Result::Unknown);
    EXPECT_EQ(checks[0].explain, "Landlock may restrict this process; its domain cannot be read from outside");
    EXPECT_EQ(verdict_from(checks, f).outcome, Outcome::Unknown);
    // Landlock has no hook on a read of an open fd, nor on a UDP bind.
    f.operation.op = Op::Read;
    EXPECT_EQ(lsm_checks(f).front().result, Result::Pass);
    f.operation.op = Op::BindInet;
    f.operation.protocol = IPPROTO_UDP;
    EXPECT_EQ(lsm_checks(f).front().result, Result::Pass);
    // Not listed: no Landlock.
    f.operation.op = Op::Open;
    f.lsm.active = {"lockdown", "capability", "bpf"};
    EXPECT_EQ(lsm_checks(f).front().result, Result::Pass);
}

TEST(LsmRules, SelinuxNeedsItsAdapter) {
    Facts f = user_process(Op::Open);
    f.lsm.active = {"capability", "selinux"};
    EXPECT_EQ(lsm_checks(f).front().result, Result::Unknown);
    LsmAnswer a;
    a.lsm = "selinux";
    a.allowed = false;
    a.error = EACCES;
    a.detail = "scontext=u:r:app_t tcontext=u:object_r:shadow_t tclass=file perm=read";
    a.fix = "audit2allow";
    f.lsm.answers = {a};
    const Check denied = lsm_checks(f).front();
    EXPECT_EQ(denied.result, Result::Fail);
    EXPECT_EQ(denied.error, EACCES);
    EXPECT_EQ(denied.fix, "audit2allow");
    f.lsm.answers[0].permissive = true;
    EXPECT_EQ(lsm_checks(f).front().result, Result::Pass) << "permissive logs, does not enforce";
}

TEST(LsmRules, FanotifyListenerIsNamed) {
    Facts f = user_process(Op::Exec);
    f.lsm.fanotify_permission = {holder(611, "fapolicyd", 4, "FAN_OPEN_EXEC_PERM")};
    const auto checks = lsm_checks(f);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_EQ(checks[0].result, Result::Unknown);
    ASSERT_EQ(checks[0].holders.size(), 1u);
    EXPECT_NE(checks[0].explain.find("fapolicyd"), std::string::npos);
    f.operation.op = Op::Mkdir;
    EXPECT_EQ(lsm_checks(f).front().result, Result::Pass) << "no permission event for mkdir";
}

TEST(LsmRules, UnreadListIsUnknown) {
    Facts f = user_process(Op::Open);
    f.lsm.active.clear();
    EXPECT_EQ(lsm_checks(f).front().result, Result::Unknown);
}

}  // namespace
}  // namespace fdscope::report::why
