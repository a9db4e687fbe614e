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

// What the sampler really produced (a dump of the tracker's history) for
// the grow_once fixture opening 300 fds over ~3.7 s, 8.4 s into a `watch`
// (1 s ticks, default 8 s window): flat at 6 on the ticks, then a closer
// look about every 0.1 s once it rose, through the growth and the flat top.
// At the tick of 14 s every quarter of the window had made a new high (the
// growth straddled two of their borders) and it was called a leak; growth
// for less than half the window is not one. Extended past 14 s as the
// monitor samples it: closer looks while it is a candidate (up to 17 s),
// then ticks only.
Series grow_once_as_sampled(double until) {
    Series s{
        {0.000, 6}, {1.014, 6}, {2.014, 6}, {3.000, 6}, {4.006, 6}, {5.010, 6}, {6.006, 6}, {7.010, 6}, {8.001, 6},
        {9.006, 55}, {9.142, 66}, {9.294, 78}, {9.393, 86}, {9.505, 96}, {9.653, 107}, {9.772, 117}, {9.825, 121},
        {9.978, 134}, {10.000, 136}, {10.063, 141}, {10.199, 151}, {10.286, 158}, {10.417, 169}, {10.509, 177},
        {10.635, 188}, {10.721, 195}, {10.863, 206}, {10.978, 217}, {11.000, 218}, {11.058, 223}, {11.177, 232},
        {11.264, 240}, {11.374, 249}, {11.442, 255}, {11.553, 263}, {11.695, 274}, {11.762, 280}, {11.862, 288},
        {11.949, 295}, {12.000, 298}, {12.055, 303}, {12.146, 306}, {12.280, 306}, {12.385, 306}, {12.467, 306},
        {12.578, 306}, {12.638, 306}, {12.747, 306}, {12.852, 306}, {12.970, 306}, {13.000, 306}, {13.117, 306},
        {13.209, 306}, {13.290, 306}, {13.391, 306}, {13.474, 306}, {13.577, 306}, {13.638, 306}, {13.746, 306},
        {13.893, 306}, {13.964, 306}, {14.000, 306}};
    for (double t = 14.1; t <= until + 1e-9; t += t < 17 ? 0.1 : 1.0) s.push_back({t, 306});
    return s;
}

TEST(LeakVerdict, GrowthOverThreeSecondsAsSampledIsNotALeak) {
    const Series all = grow_once_as_sampled(25);
    for (int end = 8; end <= 25; ++end) {
        Series upto;
        for (const FdSample& x : all)
            if (x.time <= end + 1e-9) upto.push_back(x);
        const LeakVerdict v = judge_leak(upto, {}, 1024);
        EXPECT_FALSE(v.leak) << "tick at " << end << " s: +" << v.rate_per_min << "/min";
    }
}

TEST(LeakVerdict, GrowthOverMoreThanHalfTheWindowIsALeak) {
    // The same sampling, growing 40 fds/s for 6 s: that is a leak when judged.
    Series s;
    for (int tick = 0; tick <= 4; ++tick) s.push_back({static_cast<double>(tick), 6});
    for (double t = 4.1; t <= 10.0 + 1e-9; t += 0.1) s.push_back({t, static_cast<std::uint64_t>(6 + 40 * (t - 4))});
    EXPECT_TRUE(judge_leak(s, {}, 1024).leak);
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
