#include "report/summary.hpp"

#include <gtest/gtest.h>

#include "report/model_builders.hpp"

using namespace fdscope;
using namespace fdscope::report;
using namespace fdscope::report::testing;

namespace {

Process counted(pid_t pid, std::string comm, std::uint64_t fds, std::uint64_t soft, bool known = true) {
    Process p = make_process(pid, std::move(comm));
    add_table(p, pid, true).counted = fds;
    p.nofile.soft = soft;
    p.nofile.hard = soft;
    p.nofile.known = known;
    return p;
}

std::vector<pid_t> pids(const std::vector<ProcessUse>& v) {
    std::vector<pid_t> out;
    for (const auto& u : v) out.push_back(u.pid);
    return out;
}

const ProcessUse* find(const std::vector<ProcessUse>& v, pid_t pid) {
    for (const auto& u : v)
        if (u.pid == pid) return &u;
    return nullptr;
}

Snapshot sample() {
    Snapshot s;
    s.file_nr = {500, 0, 2000};
    s.nr_open = 1048576;
    s.skipped_processes = {3, 7};
    s.skipped_fds = {100, 200};
    s.processes.push_back(counted(5, "c", 90, 0, false));        // limit unknown
    s.processes.push_back(counted(10, "a", 50, 100));             // 50%
    s.processes.push_back(counted(20, "b", 90, 100));             // 90%, near
    s.processes.push_back(counted(30, "d", 10, kUnlimited));      // unlimited
    {
        Process partial = counted(40, "partial", 1000, 100);      // endpoint search only: ignored
        partial.partial = true;
        s.processes.push_back(std::move(partial));
    }
    {
        Process two = make_process(50, "two-tables");              // 40 + 40 = 80%, exactly at the line
        add_table(two, 50, true).counted = 40;
        add_table(two, 51, false).counted = 40;
        two.nofile = Limit{100, 4096, true};
        s.processes.push_back(std::move(two));
    }
    s.processes.push_back(counted(60, "over", 120, 100));         // above the soft limit
    {
        Process listed = make_process(70, "listed");               // fds read, `counted` not used
        auto& t = add_table(listed, 70, true);
        for (int fd = 0; fd < 3; ++fd) t.fds.push_back(make_file(listed, fd, Kind::Chr, "/dev/null"));
        t.counted = 999;
        listed.nofile = Limit{1024, 1024, true};
        listed.leader_exited = true;
        s.processes.push_back(std::move(listed));
    }
    s.processes.push_back(counted(80, "zero-limit", 5, 0));       // soft 0: no percentage
    return s;
}

}  // namespace

TEST(ProcessUse, PercentAndHeadroom) {
    auto u = process_use(counted(10, "a", 50, 200));
    EXPECT_EQ(u.pid, 10);
    EXPECT_EQ(u.comm, "a");
    EXPECT_EQ(u.fds, 50u);
    EXPECT_DOUBLE_EQ(u.percent, 25.0);
    EXPECT_EQ(u.headroom, 150u);
    EXPECT_EQ(u.tables, 1u);
    EXPECT_FALSE(u.leader_exited);
}

TEST(ProcessUse, UnknownUnlimitedAndOver) {
    auto unknown = process_use(counted(1, "u", 50, 100, false));
    EXPECT_EQ(unknown.percent, 0.0);
    EXPECT_EQ(unknown.headroom, 0u);
    auto unlimited = process_use(counted(2, "u", 50, kUnlimited));
    EXPECT_EQ(unlimited.percent, 0.0);
    EXPECT_EQ(unlimited.headroom, 0u);
    auto over = process_use(counted(3, "o", 120, 100));
    EXPECT_DOUBLE_EQ(over.percent, 120.0);
    EXPECT_EQ(over.headroom, 0u);  // no wrap-around
    auto full = process_use(counted(4, "f", 100, 100));
    EXPECT_DOUBLE_EQ(full.percent, 100.0);
    EXPECT_EQ(full.headroom, 0u);
}

TEST(Summarize, Totals) {
    Snapshot snap = sample();
    Summary s = summarize(snap, 100);
    EXPECT_EQ(s.processes, 8u);  // the partial process is not counted
    EXPECT_EQ(s.fds, 90u + 50 + 90 + 10 + 80 + 120 + 3 + 5);
    EXPECT_DOUBLE_EQ(s.handles_percent, 25.0);
    EXPECT_EQ(s.file_nr.allocated, 500u);
    EXPECT_EQ(s.file_nr.max, 2000u);
    EXPECT_EQ(s.nr_open, 1048576u);
    EXPECT_EQ(s.skipped.vanished, 3u);
    EXPECT_EQ(s.skipped.permission, 7u);
    EXPECT_EQ(s.near_percent, 80.0);
    EXPECT_EQ(find(s.top, 40), nullptr);
}

TEST(Summarize, TopOrderByFdsThenPid) {
    Snapshot snap = sample();
    Summary s = summarize(snap, 100);
    EXPECT_EQ(pids(s.top), (std::vector<pid_t>{60, 5, 20, 50, 10, 30, 80, 70}));
    Summary three = summarize(snap, 3);
    EXPECT_EQ(pids(three.top), (std::vector<pid_t>{60, 5, 20}));
    EXPECT_EQ(three.processes, 8u);  // the totals do not depend on top_n
    EXPECT_EQ(three.fds, s.fds);
    EXPECT_TRUE(summarize(snap, 0).top.empty());
}

TEST(Summarize, PercentAndHeadroomPerProcess) {
    Summary s = summarize(sample(), 100);
    const ProcessUse* b = find(s.top, 20);
    ASSERT_NE(b, nullptr);
    EXPECT_DOUBLE_EQ(b->percent, 90.0);
    EXPECT_EQ(b->headroom, 10u);
    const ProcessUse* two = find(s.top, 50);
    ASSERT_NE(two, nullptr);
    EXPECT_EQ(two->fds, 80u);
    EXPECT_EQ(two->tables, 2u);
    EXPECT_DOUBLE_EQ(two->percent, 80.0);
    EXPECT_EQ(two->headroom, 20u);
    const ProcessUse* listed = find(s.top, 70);
    ASSERT_NE(listed, nullptr);
    EXPECT_EQ(listed->fds, 3u);
    EXPECT_TRUE(listed->leader_exited);
    EXPECT_EQ(listed->headroom, 1021u);
    const ProcessUse* unknown = find(s.top, 5);
    ASSERT_NE(unknown, nullptr);
    EXPECT_EQ(unknown->percent, 0.0);
    EXPECT_FALSE(unknown->nofile.known);
    const ProcessUse* zero = find(s.top, 80);
    ASSERT_NE(zero, nullptr);
    EXPECT_EQ(zero->percent, 0.0);
}

TEST(Summarize, NearLimitAtOrAboveThresholdByPercent) {
    Summary s = summarize(sample(), 2);
    EXPECT_EQ(pids(s.near_limit), (std::vector<pid_t>{60, 20, 50}));  // 120%, 90%, 80%
    Summary lower = summarize(sample(), 2, 50);
    EXPECT_EQ(pids(lower.near_limit), (std::vector<pid_t>{60, 20, 50, 10}));
    EXPECT_EQ(lower.near_percent, 50.0);
    Summary higher = summarize(sample(), 2, 95);
    EXPECT_EQ(pids(higher.near_limit), (std::vector<pid_t>{60}));
}

TEST(Summarize, JustBelowTheLineIsNotNear) {
    Snapshot snap;
    snap.processes.push_back(counted(1, "a", 799, 1000));
    snap.processes.push_back(counted(2, "b", 800, 1000));
    Summary s = summarize(snap, 10);
    EXPECT_EQ(pids(s.near_limit), (std::vector<pid_t>{2}));
}

TEST(Summarize, EmptySnapshot) {
    Snapshot snap;
    Summary s = summarize(snap, 10);
    EXPECT_EQ(s.processes, 0u);
    EXPECT_EQ(s.fds, 0u);
    EXPECT_EQ(s.handles_percent, 0.0);  // file-max unknown (0): no division
    EXPECT_TRUE(s.top.empty());
    EXPECT_TRUE(s.near_limit.empty());
}
