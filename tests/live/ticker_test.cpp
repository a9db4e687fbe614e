// The tick grid on a fake clock: deadlines on start + k * interval, late
// ticks skip grid points, the limit and the stops end the loop.
#include <gtest/gtest.h>
#include <vector>

#include "live/ticker.hpp"

using fdscope::live::Ticker;

namespace {

struct FakeClock {
    double t = 100.0;
    Ticker::Clock clock() {
        return [this] { return t; };
    }
};

}  // namespace

TEST(Ticker, DeadlinesStayOnTheGrid) {
    FakeClock c;
    Ticker k(0.5, c.clock());
    EXPECT_DOUBLE_EQ(k.origin(), 100.0);
    EXPECT_DOUBLE_EQ(k.advance(), 100.5);
    c.t = 100.6;  // the tick took a while: the next point is still on the grid
    EXPECT_DOUBLE_EQ(k.advance(), 101.0);
}

TEST(Ticker, ALateTickSkipsPointsInsteadOfDrifting) {
    FakeClock c;
    Ticker k(1.0, c.clock());
    c.t = 103.2;
    EXPECT_DOUBLE_EQ(k.advance(), 104.0);
    c.t = 104.0;  // exactly on a point: that one is past
    EXPECT_DOUBLE_EQ(k.advance(), 105.0);
}

TEST(Ticker, RunWaitsForEachDeadlineUntilTheTickSaysStop) {
    FakeClock c;
    Ticker k(1.0, c.clock());
    std::vector<double> ticks, waits;
    k.run([&] { ticks.push_back(c.t); return ticks.size() < 3; },
          [&](double deadline) { waits.push_back(deadline); c.t = deadline; return true; },
          [] { return false; });
    EXPECT_EQ(ticks, (std::vector<double>{100, 101, 102}));
    EXPECT_EQ(waits, (std::vector<double>{101, 102}));
}

TEST(Ticker, LimitEndsBeforeADeadlinePastIt) {
    FakeClock c;
    Ticker k(0.1, c.clock());
    int ticks = 0;
    k.run([&] { ++ticks; return true; },
          [&](double deadline) { c.t = deadline; return true; },
          [] { return false; }, 1.0);
    // 0, 0.1, ..., 1.0: the tick at the limit itself still runs despite the
    // rounding of ten sums of 0.1.
    EXPECT_EQ(ticks, 11);
}

TEST(Ticker, WaitOrStopEndsTheLoop) {
    FakeClock c;
    Ticker k(1.0, c.clock());
    int ticks = 0;
    k.run([&] { ++ticks; return true; }, [&](double) { return false; }, [] { return false; });
    EXPECT_EQ(ticks, 1);
    bool stop = false;
    ticks = 0;
    k.run([&] { ++ticks; stop = ticks == 2; return true; }, [&](double d) { c.t = d; return true; },
          [&] { return stop; });
    EXPECT_EQ(ticks, 2);
}
