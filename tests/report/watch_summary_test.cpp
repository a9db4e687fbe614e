// The order of watch's closing table: most changed first, then biggest.
#include "report/watch_summary.hpp"

#include <gtest/gtest.h>

namespace fdscope::report {
namespace {

ProcSample proc(pid_t pid, std::uint64_t fds) {
    ProcSample s;
    s.pid = pid;
    s.start_ticks = 100;
    s.comm = "p";
    s.fds = fds;
    s.limit = 1024;
    return s;
}

TEST(WatchSummary, MostChangedFirstThenBiggest) {
    TrendTracker tr{TrendOptions{}};
    Tick first;
    first.time = 100;
    first.procs = {proc(1, 10), proc(2, 500), proc(3, 50), proc(4, 40), proc(5, 7)};
    tr.update(first);
    Tick second;
    second.time = 101;
    second.procs = {proc(1, 30), proc(2, 500), proc(3, 20), proc(4, 41), proc(5, 8)};
    tr.update(second);
    std::vector<pid_t> order;
    for (const Trend* t : rank_by_change(tr)) order.push_back(t->key.first);
    // 3 shrank by 30, 1 grew by 20, 4 and 5 by 1 (4 is bigger), 2 not at all.
    EXPECT_EQ(order, (std::vector<pid_t>{3, 1, 4, 5, 2}));
    EXPECT_EQ(fd_change(tr.trends().begin()->second), 20);
}

}  // namespace
}  // namespace fdscope::report
