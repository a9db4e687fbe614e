// Quotas read with quotactl_fd: this kernel has none, which must read as
// "no quotas" with the reason, never as a limit of 0.
#include "why/quota_facts.hpp"

#include <gtest/gtest.h>
#include <sys/quota.h>

#include <cerrno>

#include "sys/quota.hpp"

namespace fdscope::why {
namespace {

TEST(WhyQuota, ReasonsSayWhatTheErrnoMeans) {
    EXPECT_NE(quota_reason(ENOSYS).find("without quota support"), std::string::npos);
    EXPECT_NE(quota_reason(ESRCH).find("not on"), std::string::npos);
    EXPECT_NE(quota_reason(EIO).find("quotactl"), std::string::npos);
}

TEST(WhyQuota, ThisMachinesAnswerIsTheKernelsOwn) {
    dqblk d{};
    const int err = sys::get_quota(-1, USRQUOTA, 0, d);
    const QuotaFacts q = read_quota("/tmp", 1, 0, 0);
    if (err == ENOSYS) {
        // A kernel without CONFIG_QUOTACTL: known to have none.
        EXPECT_TRUE(q.known);
        EXPECT_FALSE(q.supported);
        EXPECT_NE(q.reason.find("without quota support"), std::string::npos) << q.reason;
        EXPECT_TRUE(q.usage.empty());
    } else {
        // With quota support /tmp normally has them off (ESRCH) or on.
        EXPECT_TRUE(q.known || !q.reason.empty()) << q.reason;
        if (!q.supported) {
            EXPECT_FALSE(q.reason.empty());
        }
    }
}

TEST(WhyQuota, APathThatCannotBeOpenedIsNotKnown) {
    const QuotaFacts q = read_quota("/nonexistent-fdscope-dir/x", 3, 0, 0);
    EXPECT_FALSE(q.known);
    EXPECT_NE(q.reason.find("No such file"), std::string::npos) << q.reason;
    EXPECT_EQ(q.mount_id, 3);
}

}  // namespace
}  // namespace fdscope::why
