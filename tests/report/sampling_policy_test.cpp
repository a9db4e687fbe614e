// What a leak verdict may ask of an interval and window.
#include "report/sampling_policy.hpp"

#include <gtest/gtest.h>

namespace fdscope::report {
namespace {

TEST(SamplingPolicy, WindowMustHoldThreeIntervals) {
    EXPECT_FALSE(policy_error({1.0, 3.0, 30}));
    EXPECT_EQ(policy_error({1.0, 2.9, 30}), "--window must cover at least 3 intervals");
}

TEST(SamplingPolicy, SamplesAskedForFollowWhatTheWindowHolds) {
    EXPECT_EQ(trend_options({1.0, 8.0, 30}).leak.min_samples, 4u);    // 8 * 0.6 = 4.8
    EXPECT_EQ(trend_options({0.5, 8.0, 30}).leak.min_samples, 8u);    // 9.6, at most 8
    EXPECT_EQ(trend_options({1.0, 10.0, 30}).leak.min_samples, 6u);
    EXPECT_EQ(trend_options({10.0, 30.0, 30}).leak.min_samples, 4u);  // 1.8, at least 4
}

TEST(SamplingPolicy, WindowRateAndHistory) {
    const TrendOptions t = trend_options({2.0, 300.0, 12.5});
    EXPECT_EQ(t.leak.window, 300.0);
    EXPECT_EQ(t.leak.min_rate, 12.5);
    EXPECT_EQ(t.keep_seconds, 600.0);
    EXPECT_EQ(trend_options({1.0, 8.0, 30}).keep_seconds, 120.0) << "at least two minutes";
    EXPECT_EQ(t.alert_rate, 0.0);
    EXPECT_EQ(t.alert_percent, 0.0);
}

}  // namespace
}  // namespace fdscope::report
