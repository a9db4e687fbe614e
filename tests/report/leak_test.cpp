// The leak verdict on synthetic series: the leaker is flagged, the shapes
// that only look like growth for a while are not.
#include "report/leak.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <random>

namespace fdscope::report {
namespace {

using Series = std::vector<FdSample>;

// Samples every `dt` seconds for `seconds`, count = f(t).
template <class F>
Series sample(double seconds, double dt, F f) {
    Series s;
    for (double t = 0; t <= seconds + 1e-9; t += dt) s.push_back({t, static_cast<std::uint64_t>(std::max(0.0, f(t)))});
    return s;
}

TEST(TheilSen, IgnoresOutliers) {
    Series s = sample(10, 0.5, [](double t) { return 100 + 5 * t; });
    s[3].fds = 5000;
    s[11].fds = 0;
    EXPECT_NEAR(theil_sen_slope(s), 5.0, 0.01);
    EXPECT_EQ(theil_sen_slope({}), 0);
    EXPECT_EQ(theil_sen_slope({{1, 5}}), 0);
}

TEST(LeakVerdict, LeakerOneFdEveryFiftyMillisecondsIsFlagged) {
    // 20 fds/s = 1,200/min, sampled every 0.25 s with jitter in the count.
    std::mt19937 rng(1);
    Series s = sample(12, 0.25, [&](double t) { return 50 + 20 * t + static_cast<double>(rng() % 3); });
    LeakVerdict v = judge_leak(s, {}, 1024);
    EXPECT_TRUE(v.leak);
    EXPECT_NEAR(v.rate_per_min, 1200, 60);
    ASSERT_TRUE(v.eta_seconds);
    EXPECT_NEAR(*v.eta_seconds, (1024.0 - static_cast<double>(s.back().fds)) / 20.0, 2.0);
    EXPECT_LE(v.since, 0.5);
}

TEST(LeakVerdict, LeakStartingLateIsDatedAtItsStart) {
    Series s = sample(30, 0.25, [](double t) { return t < 20 ? 40.0 : 40 + 20 * (t - 20); });
    LeakVerdict v = judge_leak(s, {}, 0);
    EXPECT_TRUE(v.leak);
    EXPECT_NEAR(v.since, 20, 0.3);
    EXPECT_FALSE(v.eta_seconds) << "no limit, no ETA";
}

TEST(LeakVerdict, SawtoothIsNotALeak) {
    // 200 fds opened one every 5 ms (1 s), then all closed, again and again.
    Series s = sample(12, 0.1, [](double t) { return 10 + 200 * std::fmod(t, 1.1) / 1.0; });
    EXPECT_FALSE(judge_leak(s, {}, 1024).leak);
}

TEST(LeakVerdict, SlowSawtoothWithARisingSlopeIsNotALeak) {
    // Grows for 7 s, drops back, grows again: over the window the robust
    // slope is still clearly positive; the drop is what says "not a leak".
    Series s = sample(12, 0.25, [](double t) { return 20 + 60 * std::fmod(t + 1.5, 7.0); });
    LeakVerdict v = judge_leak(s, {}, 1024);
    EXPECT_GE(v.rate_per_min, 30) << "the slope alone would flag it";
    EXPECT_FALSE(v.leak);
}

TEST(LeakVerdict, GrewOnceThenFlatIsNotALeak) {
    Series s = sample(12, 0.25, [](double t) { return t < 2 ? 10 + 200 * t : 410.0; });
    EXPECT_FALSE(judge_leak(s, {}, 1024).leak);
}

TEST(LeakVerdict, FlatAndNoisyAreNotLeaks) {
    std::mt19937 rng(2);
    EXPECT_FALSE(judge_leak(sample(12, 0.25, [](double) { return 64.0; }), {}, 1024).leak);
    EXPECT_FALSE(judge_leak(sample(12, 0.25, [&](double) { return 60.0 + static_cast<double>(rng() % 9); }), {}, 1024).leak);
}

TEST(LeakVerdict, ShortBurstIsNotALeak) {
    Series s = sample(12, 0.25, [](double t) { return t > 5 && t < 6 ? 500.0 : 30.0; });
    EXPECT_FALSE(judge_leak(s, {}, 1024).leak);
}

TEST(LeakVerdict, SlowGrowthBelowTheMinimumRateIsNotFlagged) {
    // 10 fds/min, steadily: real growth, but under the default 30/min.
    Series s = sample(12, 0.25, [](double t) { return 100 + t / 6.0 + 0.5; });
    LeakOptions o;
    EXPECT_FALSE(judge_leak(s, o, 1024).leak);
}

TEST(LeakVerdict, TooLittleHistoryIsNoVerdictYet) {
    Series s = sample(2, 0.25, [](double t) { return 50 + 20 * t; });
    EXPECT_FALSE(judge_leak(s, {}, 1024).leak) << "2 s of a 10 s window";
    EXPECT_FALSE(judge_leak({}, {}, 1024).leak);
}

}  // namespace
}  // namespace fdscope::report
