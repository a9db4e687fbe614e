// TrendTracker on hand-made ticks: when a process becomes a leak suspect,
// when its verdict is due, which alerts fire, how processes come and go,
// which processes are candidates for dense sampling, and the aliasing
// hazard that dense sampling exists for.
#include "report/trend.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace fdscope::report {
namespace {

constexpr double kT0 = 1000;  // first tick (Unix seconds)

ProcSample proc(pid_t pid, std::uint64_t fds, std::uint64_t limit = 4096, std::uint64_t start_ticks = 500,
                std::string comm = "proc") {
    ProcSample s;
    s.pid = pid;
    s.start_ticks = start_ticks;
    s.start = 1.0 + static_cast<double>(start_ticks) / 100;
    s.comm = std::move(comm);
    s.fds = fds;
    s.limit = limit;
    return s;
}

Tick tick(double time, std::vector<ProcSample> procs) {
    Tick t;
    t.time = time;
    t.file_nr = 1000;
    t.file_max = 100000;
    t.listed = true;
    t.procs = std::move(procs);
    return t;
}

const Trend& trend_of(const TrendTracker& tr, pid_t pid, std::uint64_t start_ticks = 500) {
    auto it = tr.trends().find({pid, start_ticks});
    if (it == tr.trends().end()) {
        ADD_FAILURE() << "no trend for pid " << pid;
        static const Trend none;
        return none;
    }
    return it->second;
}

// A sawtooth that climbs from 10 to 210 and falls back every `period`
// seconds (the sawtooth fixture: opens 200 fds, closes them all).
std::uint64_t saw(double t, double period) {
    const double x = t / period;
    return 10 + static_cast<std::uint64_t>(200 * (x - std::floor(x)));
}

// ---------------------------------------------------------------- (a)

TEST(TrendLeaker, SteadyLeakerIsFlaggedWithRateEtaAndReportedOncePerWindow) {
    TrendTracker tr{TrendOptions{}};
    ASSERT_EQ(tr.options().leak.window, 8);
    ASSERT_EQ(tr.options().leak.min_rate, 30);
    ASSERT_EQ(tr.options().leak.min_samples, 8u);
    std::vector<int> due_ticks;
    int first_flagged = -1;
    for (int i = 0; i <= 40; ++i) {
        const std::uint64_t fds = 100 + 20 * static_cast<std::uint64_t>(i);
        tr.update(tick(kT0 + i, {proc(42, fds)}));
        const Trend& t = trend_of(tr, 42);
        EXPECT_EQ(t.fds, fds);
        EXPECT_EQ(t.first_fds, 100u);
        EXPECT_EQ(t.first_seen, kT0);
        if (t.report_due) due_ticks.push_back(i);
        if (i < 7) {
            // Less than 85% of the window (6.8 s) of history: no verdict yet.
            EXPECT_FALSE(t.verdict.leak) << "tick " << i;
            EXPECT_EQ(t.flagged_since, 0) << "tick " << i;
            EXPECT_EQ(tr.suspects(), 0u);
            continue;
        }
        if (first_flagged < 0) first_flagged = i;
        EXPECT_TRUE(t.verdict.leak) << "tick " << i;
        EXPECT_EQ(t.flagged_since, kT0 + 7) << "flagged since the first flagged tick, tick " << i;
        EXPECT_EQ(tr.suspects(), 1u);
        EXPECT_NEAR(t.verdict.rate_per_min, 1200, 1e-6) << "tick " << i;
        ASSERT_TRUE(t.verdict.eta_seconds.has_value()) << "tick " << i;
        EXPECT_NEAR(*t.verdict.eta_seconds, (4096.0 - static_cast<double>(fds)) / 20.0, 1e-6) << "tick " << i;
        EXPECT_EQ(t.verdict.since, kT0) << "growing since the first (lowest) sample";
    }
    EXPECT_EQ(first_flagged, 7);
    // Due on the first flagged tick, then once per window (8 s) while flagged.
    EXPECT_EQ(due_ticks, (std::vector<int>{7, 15, 23, 31, 39}));
    const Trend& t = trend_of(tr, 42);
    EXPECT_EQ(t.last_reported, kT0 + 39);
    EXPECT_EQ(t.history.size(), 41u);
}

TEST(TrendLeaker, ReflaggedAfterAPauseIsDueAgainAtOnce) {
    TrendTracker tr{TrendOptions{}};
    std::uint64_t fds = 100;
    int i = 0;
    for (; i < 10; ++i, fds += 20) tr.update(tick(kT0 + i, {proc(42, fds)}));
    ASSERT_GT(trend_of(tr, 42).flagged_since, 0);
    // It stops growing: no longer a suspect once the window is flat.
    for (int k = 0; k < 12; ++k, ++i) tr.update(tick(kT0 + i, {proc(42, fds)}));
    EXPECT_EQ(trend_of(tr, 42).flagged_since, 0);
    EXPECT_FALSE(trend_of(tr, 42).report_due);
    EXPECT_EQ(tr.suspects(), 0u);
    // And starts again: flagged anew, due on that tick.
    bool due_when_reflagged = false;
    double reflagged = 0;
    for (int k = 0; k < 12; ++k, ++i) {
        fds += 20;
        tr.update(tick(kT0 + i, {proc(42, fds)}));
        const Trend& t = trend_of(tr, 42);
        if (t.flagged_since && !reflagged) {
            reflagged = t.flagged_since;
            due_when_reflagged = t.report_due;
            EXPECT_EQ(t.flagged_since, kT0 + i);
        }
    }
    EXPECT_GT(reflagged, 0);
    EXPECT_TRUE(due_when_reflagged);
}

// ---------------------------------------------------------------- (b)

// THE HAZARD. A sawtooth slightly faster than the tick (period 0.95 s,
// 200 fds up and all closed again) seen only at the 1 s ticks advances
// 1/19 of a period per tick: the ticks see a steady ramp of ~10.5 fds/s
// lasting 19 s, and the tracker calls it a leak, though the process never
// holds more than 210 fds.
TEST(TrendAliasing, SawtoothFasterThanTheTickLooksLikeARampWithTicksAlone) {
    const double period = 0.95;
    TrendTracker tr{TrendOptions{}};
    int flagged_ticks = 0;
    double rate_when_flagged = 0;
    for (int i = 0; i <= 30; ++i) {
        tr.update(tick(kT0 + i, {proc(7, saw(kT0 + i, period))}));
        const Trend& t = trend_of(tr, 7);
        EXPECT_LE(t.fds, 210u);
        if (t.flagged_since) {
            ++flagged_ticks;
            rate_when_flagged = t.verdict.rate_per_min;
        }
    }
    EXPECT_GT(flagged_ticks, 0) << "ticks alone: the aliased sawtooth is (wrongly) a leak";
    EXPECT_NEAR(rate_when_flagged, 200.0 / 19 * 60, 15) << "the alias's slope, not the sawtooth's";
}

// A sawtooth slightly slower than the tick (period 1.05 s) moves back
// 1/21 of a period per tick: the ticks see a slow *falling* ramp with a jump
// every 21 s. Not flagged, but only by luck of the sign of the aliasing.
TEST(TrendAliasing, SawtoothSlowerThanTheTickAliasesIntoAFallingRamp) {
    const double period = 1.05;
    TrendTracker tr{TrendOptions{}};
    std::uint64_t prev = 0;
    int falls = 0;
    for (int i = 0; i <= 30; ++i) {
        const std::uint64_t n = saw(kT0 + i, period);
        if (i && n < prev) ++falls;
        prev = n;
        tr.update(tick(kT0 + i, {proc(7, n)}));
        EXPECT_EQ(trend_of(tr, 7).flagged_since, 0) << "tick " << i;
    }
    EXPECT_GE(falls, 27) << "the ticks see a falling ramp";
}

// What the monitor does: between ticks, the candidates are sampled about
// ten times per interval. The drops then show and the sawtooth is never a
// leak, whichever side of the tick its period lies.
void dense_sawtooth_never_flagged(double period, bool only_candidates) {
    TrendTracker tr{TrendOptions{}};
    int densely_sampled = 0;
    for (int i = 0; i <= 30; ++i) {
        const double now = kT0 + i;
        tr.update(tick(now, {proc(7, saw(now, period)), proc(8, 50)}));
        const Trend& t = trend_of(tr, 7);
        EXPECT_EQ(t.flagged_since, 0) << "period " << period << ", tick " << i;
        EXPECT_FALSE(t.verdict.leak) << "period " << period << ", tick " << i;
        EXPECT_EQ(tr.suspects(), 0u);
        const auto cands = tr.candidates();
        EXPECT_EQ(std::count(cands.begin(), cands.end(), 8), 0) << "the flat process is no candidate";
        if (only_candidates && std::find(cands.begin(), cands.end(), 7) == cands.end()) continue;
        ++densely_sampled;
        for (int k = 1; k <= 9; ++k) {
            const double at = now + k / 10.0;
            tr.add_samples(at, {proc(7, saw(at, period)), proc(8, 50)});
        }
    }
    EXPECT_GT(densely_sampled, 0);
    // The dense samples are in the history.
    EXPECT_GT(trend_of(tr, 7).history.size(), 31u);
}

TEST(TrendAliasing, DenseSamplesBetweenTicksRevealTheSawtooth) {
    dense_sawtooth_never_flagged(0.95, false);
    dense_sawtooth_never_flagged(1.05, false);
}

TEST(TrendAliasing, DenseSamplesOfCandidatesOnlySlowerSawtooth) {
    dense_sawtooth_never_flagged(1.05, true);
}

// Sampled densely only while it is a candidate, as the monitor does. The
// 0.95 s sawtooth's dense peaks (~210) in the first half of the window stop
// it being "rising" at tick 7; ten ticks later the window holds ticks only
// again and shows the aliased ramp. It was flagged there for one tick until
// a process had to be a candidate (sampled densely) in the interval before
// a new flag; this test found that.
TEST(TrendAliasing, DenseSamplesOfCandidatesOnlyAsTheMonitorDoes) {
    dense_sawtooth_never_flagged(0.95, true);
    dense_sawtooth_never_flagged(1.05, true);
}

TEST(TrendAliasing, AddSamplesIgnoresUnknownProcessesAndOldTimes) {
    TrendTracker tr{TrendOptions{}};
    tr.update(tick(kT0, {proc(7, 10)}));
    tr.add_samples(kT0 + 0.5, {proc(7, 11), proc(99, 5), proc(7, 12, 4096, 501)});
    EXPECT_EQ(tr.trends().size(), 1u) << "extra samples do not add processes";
    ASSERT_EQ(trend_of(tr, 7).history.size(), 2u);
    EXPECT_EQ(trend_of(tr, 7).history.back().fds, 11u);
    tr.add_samples(kT0 + 0.5, {proc(7, 13)});  // not later than the last sample
    tr.add_samples(kT0 + 0.2, {proc(7, 14)});
    EXPECT_EQ(trend_of(tr, 7).history.size(), 2u);
    EXPECT_EQ(trend_of(tr, 7).fds, 10u) << "fds is the tick's count";
}

// ---------------------------------------------------------------- (c)

TEST(TrendAlerts, RateAlertFiresOncePerProcessOnItsFirstFlaggedTick) {
    TrendOptions o;
    o.alert_rate = 600;
    TrendTracker tr{o};
    std::map<pid_t, int> alerts_of, flagged_at;
    int alert_ticks = 0;
    for (int i = 0; i <= 40; ++i) {
        // pid 10 leaks from the start, pid 11 from tick 15, pid 12 too slowly (300/min).
        const auto late = static_cast<std::uint64_t>(std::max(0, i - 15));
        tr.update(tick(kT0 + i, {proc(10, 100 + 20 * static_cast<std::uint64_t>(i)), proc(11, 50 + 20 * late),
                                 proc(12, 50 + 5 * static_cast<std::uint64_t>(i))}));
        for (pid_t pid : {10, 11, 12})
            if (trend_of(tr, pid).flagged_since && !flagged_at.count(pid)) flagged_at[pid] = i;
        if (!tr.alerts().empty()) ++alert_ticks;
        for (const Alert& a : tr.alerts()) {
            ++alerts_of[a.key.first];
            EXPECT_EQ(a.kind, "rate");
            EXPECT_NEAR(a.value, 1200, 1e-6);
            EXPECT_EQ(a.threshold, 600);
            EXPECT_EQ(flagged_at.at(a.key.first), i) << "fires on the first flagged tick";
            EXPECT_TRUE(trend_of(tr, a.key.first).alerted_rate);
        }
        EXPECT_EQ(tr.any_alert(), flagged_at.count(10) > 0) << "tick " << i;
    }
    EXPECT_EQ(alerts_of, (std::map<pid_t, int>{{10, 1}, {11, 1}}));
    EXPECT_EQ(alert_ticks, 2);
    EXPECT_EQ(flagged_at.at(10), 7);
    EXPECT_GT(flagged_at.at(11), 15);
    EXPECT_TRUE(flagged_at.count(12)) << "a leak at 300/min, but below the alert rate";
    EXPECT_FALSE(trend_of(tr, 12).alerted_rate);
    EXPECT_TRUE(tr.any_alert());
}

TEST(TrendAlerts, NoRateAlertWhenOffOrBelowThreshold) {
    for (double rate : {0.0, 2000.0}) {
        TrendOptions o;
        o.alert_rate = rate;
        TrendTracker tr{o};
        for (int i = 0; i <= 20; ++i) {
            tr.update(tick(kT0 + i, {proc(10, 100 + 20 * static_cast<std::uint64_t>(i))}));
            EXPECT_TRUE(tr.alerts().empty()) << "alert_rate " << rate;
        }
        EXPECT_EQ(tr.suspects(), 1u);
        EXPECT_FALSE(tr.any_alert());
    }
}

TEST(TrendAlerts, PercentAlertFiresOnceAtThePercentOfTheLimitNeverWhenUnlimited) {
    TrendOptions o;
    o.alert_percent = 50;
    TrendTracker tr{o};
    const std::vector<std::uint64_t> counts = {400, 450, 499, 500, 600, 300, 700, 1000};
    for (std::size_t i = 0; i < counts.size(); ++i) {
        // pid 20: limit 1000; pid 21: unlimited (0) with a huge count.
        tr.update(tick(kT0 + static_cast<double>(i), {proc(20, counts[i], 1000), proc(21, 100000, 0)}));
        if (i == 3) {
            ASSERT_EQ(tr.alerts().size(), 1u) << "500 of 1000 is 50%";
            EXPECT_EQ(tr.alerts()[0].key, (ProcKey{20, 500}));
            EXPECT_EQ(tr.alerts()[0].kind, "percent");
            EXPECT_DOUBLE_EQ(tr.alerts()[0].value, 50.0);
            EXPECT_EQ(tr.alerts()[0].threshold, 50);
        } else {
            EXPECT_TRUE(tr.alerts().empty()) << "tick " << i;
        }
        EXPECT_EQ(tr.any_alert(), i >= 3);
    }
    EXPECT_TRUE(trend_of(tr, 20).alerted_percent);
    EXPECT_FALSE(trend_of(tr, 21).alerted_percent);
    EXPECT_EQ(trend_of(tr, 21).percent(), 0);
}

// ---------------------------------------------------------------- (d)

TEST(TrendIdentity, ReusedPidIsAnotherProcessAndTheOldOneIsForgotten) {
    TrendTracker tr{TrendOptions{}};
    for (int i = 0; i < 12; ++i)
        tr.update(tick(kT0 + i, {proc(100, 10 + 20 * static_cast<std::uint64_t>(i), 4096, 500, "old")}));
    ASSERT_GT(trend_of(tr, 100, 500).flagged_since, 0);
    tr.update(tick(kT0 + 12, {proc(100, 3, 4096, 900, "new")}));
    ASSERT_EQ(tr.trends().size(), 1u);
    EXPECT_EQ(tr.trends().count({100, 500}), 0u);
    const Trend& t = trend_of(tr, 100, 900);
    EXPECT_EQ(t.key, (ProcKey{100, 900}));
    EXPECT_EQ(t.comm, "new");
    EXPECT_EQ(t.first_seen, kT0 + 12);
    EXPECT_EQ(t.first_fds, 3u);
    EXPECT_EQ(t.history.size(), 1u);
    EXPECT_EQ(t.flagged_since, 0);
    EXPECT_FALSE(t.alerted_rate);
    EXPECT_EQ(tr.suspects(), 0u);
}

TEST(TrendIdentity, ProcessMissingFromATickIsForgotten) {
    TrendTracker tr{TrendOptions{}};
    tr.update(tick(kT0, {proc(100, 10), proc(200, 20)}));
    tr.update(tick(kT0 + 1, {proc(100, 11), proc(200, 21)}));
    ASSERT_EQ(trend_of(tr, 100).history.size(), 2u);
    tr.update(tick(kT0 + 2, {proc(200, 22)}));
    EXPECT_EQ(tr.trends().size(), 1u);
    EXPECT_EQ(tr.trends().count({100, 500}), 0u);
    EXPECT_EQ(trend_of(tr, 200).history.size(), 3u);
    // Seen again (same identity): a fresh start, nothing remembered.
    tr.update(tick(kT0 + 3, {proc(100, 15), proc(200, 23)}));
    EXPECT_EQ(trend_of(tr, 100).history.size(), 1u);
    EXPECT_EQ(trend_of(tr, 100).first_seen, kT0 + 3);
    EXPECT_EQ(trend_of(tr, 100).first_fds, 15u);
    tr.update(tick(kT0 + 4, {}));
    EXPECT_TRUE(tr.trends().empty());
}

TEST(TrendHistory, KeepsAtLeastTwoWindows) {
    TrendOptions o;
    o.keep_seconds = 5;  // less than two windows (16 s): two windows are kept
    TrendTracker tr{o};
    for (int i = 0; i <= 60; ++i) tr.update(tick(kT0 + i, {proc(1, 10)}));
    const Trend& t = trend_of(tr, 1);
    EXPECT_EQ(t.history.size(), 17u);
    EXPECT_EQ(t.history.front().time, kT0 + 44);

    TrendTracker longer{TrendOptions{}};  // keep_seconds 120
    for (int i = 0; i <= 200; ++i) longer.update(tick(kT0 + i, {proc(1, 10)}));
    EXPECT_EQ(trend_of(longer, 1).history.size(), 121u);
}

// ---------------------------------------------------------------- (e)

TEST(TrendCandidates, RisingProcessesFastestFirstCappedAtMax) {
    auto candidates_with = [](std::size_t max) {
        TrendOptions o;
        o.max_candidates = max;
        TrendTracker tr{o};
        for (int i = 0; i < 12; ++i) {
            const auto u = static_cast<std::uint64_t>(i);
            tr.update(tick(kT0 + i, {proc(1, 50),             // flat
                                     proc(2, 50 + 5 * u),     // 300/min
                                     proc(3, 50 + 20 * u),    // 1200/min
                                     proc(4, 50 + 10 * u),    // 600/min
                                     proc(5, 50 + u / 5),     // rising, too slowly for a verdict
                                     proc(6, 500 - 10 * u)}));  // falling
        }
        EXPECT_EQ(trend_of(tr, 5).flagged_since, 0);
        EXPECT_LT(trend_of(tr, 5).verdict.rate_per_min, 30);
        // Marked on the trends too: the next update knows who was sampled.
        for (pid_t pid : tr.candidates()) EXPECT_TRUE(trend_of(tr, pid).candidate);
        EXPECT_FALSE(trend_of(tr, 1).candidate);
        return tr.candidates();
    };
    EXPECT_EQ(candidates_with(10), (std::vector<pid_t>{3, 4, 2, 5}));
    // Beyond the room: the fastest half, then the one waiting longest (5:
    // never chosen, where 4 and 2 were chosen on the tick before).
    EXPECT_EQ(candidates_with(2), (std::vector<pid_t>{3, 5}));
    EXPECT_EQ(candidates_with(1), (std::vector<pid_t>{3}));
    EXPECT_TRUE(candidates_with(0).empty());
}

TEST(TrendCandidates, NewAndFlatProcessesAreNotCandidates) {
    TrendTracker tr{TrendOptions{}};
    tr.update(tick(kT0, {proc(1, 50), proc(2, 50)}));
    EXPECT_TRUE(tr.candidates().empty()) << "one sample: nothing to compare";
    tr.update(tick(kT0 + 1, {proc(1, 50), proc(2, 60)}));
    EXPECT_EQ(tr.candidates(), (std::vector<pid_t>{2})) << "higher than its first sample";
}

// ---------------------------------------------------------------- (f)

TEST(TrendFlat, FlatProcessHasRateZeroAndNoVerdict) {
    TrendTracker tr{TrendOptions{}};
    for (int i = 0; i <= 30; ++i) {
        tr.update(tick(kT0 + i, {proc(1, 42)}));
        const Trend& t = trend_of(tr, 1);
        EXPECT_EQ(t.verdict.rate_per_min, 0) << "tick " << i;
        EXPECT_FALSE(t.verdict.leak);
        EXPECT_FALSE(t.verdict.eta_seconds.has_value());
        EXPECT_EQ(t.flagged_since, 0);
        EXPECT_FALSE(t.report_due);
    }
    EXPECT_TRUE(tr.candidates().empty());
    EXPECT_EQ(tr.suspects(), 0u);
    EXPECT_NEAR(trend_of(tr, 1).percent(), 100.0 * 42 / 4096, 1e-9);
}

TEST(TrendFlat, GrowOnceThenFlatIsNeverFlagged) {
    TrendTracker tr{TrendOptions{}};
    for (int i = 0; i <= 50; ++i) {
        const std::uint64_t fds = i < 15 ? 100 : 400;
        tr.update(tick(kT0 + i, {proc(1, fds)}));
        const Trend& t = trend_of(tr, 1);
        EXPECT_FALSE(t.verdict.leak) << "tick " << i;
        EXPECT_EQ(t.flagged_since, 0) << "tick " << i;
        EXPECT_FALSE(t.report_due) << "tick " << i;
    }
    EXPECT_EQ(trend_of(tr, 1).verdict.rate_per_min, 0) << "flat again for a whole window";
    EXPECT_EQ(tr.suspects(), 0u);
}

}  // namespace
}  // namespace fdscope::report

namespace fdscope::report {
namespace {

// More risers than room: every one gets its closer look in turn (a process
// cannot be newly flagged without one), the fastest every tick.
TEST(TrendCandidatesRotation, EveryRiserGetsATurn) {
    TrendOptions o;
    o.max_candidates = 2;
    TrendTracker tr{o};
    std::map<pid_t, int> chosen, late;
    for (int i = 0; i < 20; ++i) {
        std::vector<ProcSample> procs;
        for (pid_t pid = 1; pid <= 6; ++pid)
            procs.push_back(ProcSample{pid, 500, 0, "riser", 50 + static_cast<std::uint64_t>(pid * i), 4096, 0, false});
        tr.update(Tick{1000.0 + i, 1, 100, false, 0, procs});
        ASSERT_LE(tr.candidates().size(), 2u);
        for (pid_t pid : tr.candidates()) {
            ++chosen[pid];
            if (i >= 10) ++late[pid];  // rates are known (a window of history)
        }
    }
    for (pid_t pid = 1; pid <= 6; ++pid) EXPECT_GE(chosen[pid], 1) << "pid " << pid << " never sampled closely";
    EXPECT_EQ(late[6], 10) << "the fastest holds its place";
}

// The history kept is bounded; a leak older than it keeps its start.
TEST(TrendSince, StaysWhereTheGrowthWasFirstDated) {
    TrendOptions o;
    o.keep_seconds = 20;
    TrendTracker tr{o};
    for (int i = 0; i <= 100; ++i)
        tr.update(Tick{1000.0 + i, 1, 100, false, 0,
                       {ProcSample{7, 500, 0, "leaker", 10 + 20 * static_cast<std::uint64_t>(i), 1 << 20, 0, false}}});
    const Trend& t = tr.trends().at({7, 500});
    ASSERT_TRUE(t.flagged_since > 0);
    EXPECT_LE(t.history.front().time, 1000.0 + 100 - 16 + 1e-9);
    EXPECT_EQ(t.verdict.since, 1000.0) << "not the start of the kept history";
}

}  // namespace
}  // namespace fdscope::report
