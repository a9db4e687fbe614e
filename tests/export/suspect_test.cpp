// SuspectHold: a flagged process stays a suspect for the hold after its
// last verdict while its count does not fall; a fall of a tenth, an exit
// or the end of the hold ends it.
#include <gtest/gtest.h>

#include "export/suspect.hpp"

namespace fdscope::exporter {
namespace {

using Counts = std::map<std::pair<pid_t, std::uint64_t>, std::uint64_t>;

Suspect suspect(pid_t pid, double rate) {
    Suspect s;
    s.pid = pid;
    s.start_ticks = 100;
    s.comm = "leaker";
    s.fds_per_second = rate;
    s.eta_seconds = 3600;
    return s;
}

TEST(SuspectHold, AFlickeringVerdictStaysASuspectWhileTheCountHolds) {
    SuspectHold hold(60);
    auto out = hold.update(0, {suspect(7, 0.7)}, Counts{{{7, 100}, 200}});
    ASSERT_EQ(out.size(), 1u);
    // Not flagged for 59 s, the count still rising: held, with the last rate.
    for (int t = 1; t < 60; ++t) {
        out = hold.update(t, {}, Counts{{{7, 100}, 200 + static_cast<std::uint64_t>(t)}});
        ASSERT_EQ(out.size(), 1u) << "at " << t;
        EXPECT_DOUBLE_EQ(out[0].fds_per_second, 0.7);
    }
    // Flagged again: the hold starts over.
    out = hold.update(60, {suspect(7, 0.8)}, Counts{{{7, 100}, 260}});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_DOUBLE_EQ(out[0].fds_per_second, 0.8);
    EXPECT_EQ(hold.update(120, {}, Counts{{{7, 100}, 300}}).size(), 1u);
    EXPECT_TRUE(hold.update(120.5, {}, Counts{{{7, 100}, 300}}).empty()) << "60 s after the last verdict";
}

TEST(SuspectHold, ADropEndsItAtOnceASmallDipDoesNot) {
    SuspectHold hold(60);
    hold.update(0, {suspect(7, 2)}, Counts{{{7, 100}, 1000}});
    EXPECT_EQ(hold.update(1, {}, Counts{{{7, 100}, 995}}).size(), 1u) << "ordinary closes";
    EXPECT_TRUE(hold.update(2, {}, Counts{{{7, 100}, 880}}).empty()) << "a recycle";
    // Small counts: 8 fds at least.
    hold.update(3, {suspect(8, 2)}, Counts{{{8, 100}, 20}});
    EXPECT_EQ(hold.update(4, {}, Counts{{{8, 100}, 13}}).size(), 1u);
    EXPECT_TRUE(hold.update(5, {}, Counts{{{8, 100}, 11}}).empty());
}

TEST(SuspectHold, AnExitOrAReusedPidEndsIt) {
    SuspectHold hold(60);
    hold.update(0, {suspect(7, 2)}, Counts{{{7, 100}, 50}});
    EXPECT_TRUE(hold.update(1, {}, Counts{{{7, 101}, 60}}).empty()) << "pid 7 is another process now";
    hold.update(2, {suspect(9, 2)}, Counts{{{9, 100}, 50}});
    EXPECT_TRUE(hold.update(3, {}, Counts{}).empty());
}

TEST(SuspectHold, ZeroHoldIsTheVerdictAlone) {
    SuspectHold hold(0);
    EXPECT_EQ(hold.update(0, {suspect(7, 2)}, Counts{{{7, 100}, 50}}).size(), 1u);
    EXPECT_TRUE(hold.update(1, {}, Counts{{{7, 100}, 51}}).empty());
}

}  // namespace
}  // namespace fdscope::exporter
