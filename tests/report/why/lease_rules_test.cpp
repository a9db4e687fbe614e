#include <gtest/gtest.h>

#include "report/why/busy_rules.hpp"

namespace fdscope::report::why {
namespace {

Facts open_facts(bool write) {
    Facts f;
    f.operation.op = fdscope::why::Op::Open;
    f.operation.path = "/srv/f";
    f.operation.open.read = !write;
    f.operation.open.write = write;
    f.subject.pid = 10;
    return f;
}

TEST(LeaseRules, AReadLeaseMakesAnOpenForWriteWaitNotAnOpenForRead) {
    Facts f = open_facts(true);
    f.leases.push_back({812, "smbd", -1, "read lease", 0});
    auto checks = lease_checks(f);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_EQ(checks[0].result, Result::Note);
    EXPECT_EQ(checks[0].layer, Layer::Busy);
    EXPECT_NE(checks[0].explain.find("45 s"), std::string::npos) << checks[0].explain;
    EXPECT_NE(checks[0].explain.find("EWOULDBLOCK"), std::string::npos);
    EXPECT_EQ(checks[0].holders.size(), 1u);
    f = open_facts(false);
    f.leases.push_back({812, "smbd", -1, "read lease", 0});
    EXPECT_TRUE(lease_checks(f).empty());
}

TEST(LeaseRules, AWriteLeaseMakesEveryOpenWaitButTheHoldersOwn) {
    Facts f = open_facts(false);
    f.leases.push_back({812, "smbd", -1, "write lease", 0});
    EXPECT_EQ(lease_checks(f).size(), 1u);
    f.subject.pid = 812;
    EXPECT_TRUE(lease_checks(f).empty());
    f.operation.op = fdscope::why::Op::Exec;
    f.subject.pid = 10;
    EXPECT_TRUE(lease_checks(f).empty());
}

}  // namespace
}  // namespace fdscope::report::why
