// The trace ledger on hand-built event sequences: one kernel rule per test.
#include "report/trace_ledger.hpp"

#include <cerrno>
#include <gtest/gtest.h>
#include <linux/close_range.h>
#include <tuple>
#include <utility>
#include <vector>

namespace fdscope::report {
namespace {

constexpr FdTableId kParentTable = 1;
constexpr FdTableId kChildTable = 2;
constexpr std::int32_t kParent = 100;
constexpr std::int32_t kChild = 101;

// Builds an event sequence; every helper appends one event and returns its index.
struct Trace {
    std::vector<FdEvent> events;

    EventIndex add(FdEvent e) {
        e.time_ns = events.size() * 1000;
        if (e.pid == 0) e.pid = e.tid;
        events.push_back(std::move(e));
        return events.size() - 1;
    }
    static FdEvent on(Op op, std::int32_t tid, FdTableId table) {
        FdEvent e;
        e.op = op;
        e.tid = tid;
        e.table = table;
        return e;
    }
    EventIndex open(int fd, StackId stack = 1, bool cloexec = false, std::int32_t tid = kParent,
                    FdTableId table = kParentTable) {
        FdEvent e = on(Op::Openat, tid, table);
        e.fd = fd;
        e.result = fd;
        e.cloexec = cloexec;
        e.stack = stack;
        e.kind = Kind::File;
        e.name = "/tmp/f";
        return add(e);
    }
    EventIndex close(int fd, int error = 0, std::int32_t tid = kParent, FdTableId table = kParentTable) {
        FdEvent e = on(Op::Close, tid, table);
        e.fd = fd;
        e.error = error;
        e.result = error ? -1 : 0;
        return add(e);
    }
    EventIndex fail(Op op, int error) {
        FdEvent e = on(op, kParent, kParentTable);
        e.error = error;
        e.result = -1;
        return add(e);
    }
    EventIndex dup(Op op, int from, int to, bool cloexec = false, StackId stack = 9) {
        FdEvent e = on(op, kParent, kParentTable);
        e.fd = from;
        e.fd2 = to;
        e.result = to;
        e.cloexec = cloexec;
        e.stack = stack;
        return add(e);
    }
    EventIndex setfd(int fd, bool cloexec) {
        FdEvent e = on(Op::FcntlSetfd, kParent, kParentTable);
        e.fd = fd;
        e.cloexec = cloexec;
        return add(e);
    }
    EventIndex close_range(int first, int last, std::uint64_t flags = 0, FdTableId new_table = 0) {
        FdEvent e = on(Op::CloseRange, kParent, kParentTable);
        e.fd = first;
        e.fd2 = last;
        e.flags = flags;
        e.new_table = new_table;
        return add(e);
    }
    EventIndex spawn(Op op, FdTableId child_table, std::int32_t child = kChild) {
        FdEvent e = on(op, kParent, kParentTable);
        e.result = child;
        e.new_table = child_table;
        return add(e);
    }
    EventIndex exec(std::int32_t tid, FdTableId table, int error = 0, FdTableId new_table = 0) {
        FdEvent e = on(Op::Execve, tid, table);
        e.new_table = new_table ? new_table : table;
        e.error = error;
        e.name = "/bin/sh";
        return add(e);
    }
    EventIndex exit(std::int32_t tid, FdTableId table) { return add(on(Op::Exit, tid, table)); }

    TraceLedger ledger() const { return trace_ledger(events); }
};

// (table, fd, creation) of every leaked fd, in the ledger's order.
std::vector<std::tuple<FdTableId, int, EventIndex>> leaked(const TraceLedger& l) {
    std::vector<std::tuple<FdTableId, int, EventIndex>> out;
    for (const LeakGroup& g : l.leaks)
        for (const LeakedFd& f : g.fds) out.emplace_back(f.table, f.fd, f.created);
    return out;
}

using Leaks = std::vector<std::tuple<FdTableId, int, EventIndex>>;

// (second close, the close before it) of every double close.
std::vector<std::pair<EventIndex, EventIndex>> double_closes(const TraceLedger& l) {
    std::vector<std::pair<EventIndex, EventIndex>> out;
    for (const DoubleClose& d : l.double_closes) out.emplace_back(d.close, d.previous_close);
    return out;
}
using ClosePairs = std::vector<std::pair<EventIndex, EventIndex>>;

// The fds that crossed an exec, in the ledger's order.
std::vector<int> crossed(const TraceLedger& l) {
    std::vector<int> out;
    for (const ExecCrossing& c : l.crossings) out.push_back(c.fd);
    return out;
}

TEST(TraceLedger, FdsOpenAtTheEndAreLeaksGroupedByCreationStackMostFirst) {
    Trace t;
    EventIndex a = t.open(3, 7);
    EventIndex b = t.open(4, 5);
    EventIndex c = t.open(5, 5);
    t.open(6, 7);
    t.close(6);
    TraceLedger l = t.ledger();
    ASSERT_EQ(l.leaks.size(), 2u);
    EXPECT_EQ(l.leaks[0].stack, 5u);
    ASSERT_EQ(l.leaks[0].fds.size(), 2u);
    EXPECT_EQ(l.leaks[0].fds[0].created, b);
    EXPECT_EQ(l.leaks[0].fds[1].created, c);
    EXPECT_FALSE(l.leaks[0].fds[0].table_exited);
    EXPECT_EQ(l.leaks[1].stack, 7u);
    ASSERT_EQ(l.leaks[1].fds.size(), 1u);
    EXPECT_EQ(l.leaks[1].fds[0].created, a);
}

TEST(TraceLedger, AReusedNumberLeaksAsItsLatestIncarnation) {
    Trace t;
    t.open(3, 1);
    t.close(3);
    EventIndex again = t.open(3, 2);
    TraceLedger l = t.ledger();
    ASSERT_EQ(l.leaks.size(), 1u);
    EXPECT_EQ(l.leaks[0].stack, 2u);
    EXPECT_EQ(leaked(l), (Leaks{{kParentTable, 3, again}}));
    EXPECT_TRUE(l.double_closes.empty());
    EXPECT_TRUE(l.stale_closes.empty());
}

TEST(TraceLedger, PipeAndSocketpairCreateBothFdsAcceptOnlyItsResult) {
    Trace t;
    FdEvent p = Trace::on(Op::Pipe2, kParent, kParentTable);
    p.fd = 3;
    p.fd2 = 4;
    EventIndex pipe = t.add(p);
    FdEvent a = Trace::on(Op::Accept4, kParent, kParentTable);
    a.fd = 6;
    a.fd2 = 5;  // the listening socket: not created here
    a.result = 6;
    EventIndex accept = t.add(a);
    EXPECT_EQ(leaked(t.ledger()), (Leaks{{kParentTable, 3, pipe}, {kParentTable, 4, pipe}, {kParentTable, 6, accept}}));
}

TEST(TraceLedger, ExecClosesCloexecFdsAndTheOthersCrossNamingTheirCreation) {
    Trace t;
    EventIndex plain = t.open(3, 1, false);
    t.open(4, 2, true);
    EventIndex exec = t.exec(kParent, kParentTable);
    TraceLedger l = t.ledger();
    ASSERT_EQ(l.crossings.size(), 1u);
    EXPECT_EQ(l.crossings[0].exec, exec);
    EXPECT_EQ(l.crossings[0].fd, 3);
    EXPECT_EQ(l.crossings[0].created, plain);
    EXPECT_EQ(leaked(l), (Leaks{{kParentTable, 3, plain}}));  // fd 4 was closed by the exec
}

TEST(TraceLedger, AFailedExecClosesNothingAndNothingCrosses) {
    Trace t;
    EventIndex plain = t.open(3, 1, false);
    EventIndex cloexec = t.open(4, 2, true);
    t.exec(kParent, kParentTable, ENOENT);
    TraceLedger l = t.ledger();
    EXPECT_TRUE(l.crossings.empty());
    EXPECT_EQ(leaked(l).size(), 2u);
    EXPECT_EQ(leaked(l), (Leaks{{kParentTable, 3, plain}, {kParentTable, 4, cloexec}}));
}

TEST(TraceLedger, SetfdChangesWhatAnExecDoes) {
    Trace t;
    t.open(3, 1, true);
    t.setfd(3, false);  // now crosses
    t.open(4, 2, false);
    t.setfd(4, true);   // now closed at exec
    t.exec(kParent, kParentTable);
    EXPECT_EQ(crossed(t.ledger()), std::vector<int>{3});
}

TEST(TraceLedger, ForkCopiesTheTableWithCloexecFlagsAndCreators) {
    Trace t;
    EventIndex plain = t.open(3, 1, false);
    t.open(4, 2, true);
    t.spawn(Op::Fork, kChildTable);
    EventIndex exec = t.exec(kChild, kChildTable);
    t.close(3, 0, kChild, kChildTable);
    TraceLedger l = t.ledger();
    // The child's copy: fd 3 crossed with the parent's creation, fd 4 was closed.
    ASSERT_EQ(l.crossings.size(), 1u);
    EXPECT_EQ(l.crossings[0].exec, exec);
    EXPECT_EQ(l.crossings[0].table, kChildTable);
    EXPECT_EQ(l.crossings[0].created, plain);
    // The child's closes did not touch the parent's table.
    EXPECT_EQ(leaked(l).size(), 2u);
    for (const auto& [table, fd, created] : leaked(l)) EXPECT_EQ(table, kParentTable) << fd;
}

TEST(TraceLedger, VforkChildGetsACopyToo) {
    Trace t;
    t.open(3);
    t.spawn(Op::Vfork, kChildTable);
    t.close(3, 0, kChild, kChildTable);
    EXPECT_EQ(leaked(t.ledger()).size(), 1u);
}

TEST(TraceLedger, CloneFilesSharesTheTable) {
    Trace t;
    t.open(3);
    t.spawn(Op::Clone, kParentTable);  // CLONE_FILES: the same table
    EventIndex child_close = t.close(3, 0, kChild, kParentTable);
    EventIndex again = t.close(3, EBADF);
    TraceLedger l = t.ledger();
    EXPECT_TRUE(l.leaks.empty());
    EXPECT_EQ(double_closes(l), (ClosePairs{{again, child_close}}));
}

TEST(TraceLedger, ExecOfASharerSplitsTheTable) {
    Trace t;
    t.open(3, 1, true);
    t.spawn(Op::Clone, kParentTable);
    t.exec(kChild, kParentTable, 0, kChildTable);  // the child unshares, then closes cloexec fds
    TraceLedger l = t.ledger();
    EXPECT_TRUE(l.crossings.empty());
    // The parent's table keeps its fd 3; the child's copy lost it.
    EXPECT_EQ(leaked(l), (Leaks{{kParentTable, 3, 0}}));
}

TEST(TraceLedger, ATableLeaksWhenItsLastTaskExits) {
    Trace t;
    t.open(3);
    t.spawn(Op::Clone, kParentTable, 102);  // a thread on the same table
    t.exit(102, kParentTable);
    EventIndex late = t.open(4);  // the table is alive: the parent still uses it
    t.exit(kParent, kParentTable);
    TraceLedger l = t.ledger();
    ASSERT_EQ(leaked(l).size(), 2u);
    for (const LeakGroup& g : l.leaks)
        for (const LeakedFd& f : g.fds) EXPECT_TRUE(f.table_exited) << f.fd;
    EXPECT_EQ(std::get<2>(leaked(l)[1]), late);
}

TEST(TraceLedger, ExitOfAChildLeaksOnlyItsCopy) {
    Trace t;
    t.open(3);
    t.spawn(Op::Fork, kChildTable);
    t.exit(kChild, kChildTable);
    t.close(3);
    TraceLedger l = t.ledger();
    ASSERT_EQ(leaked(l).size(), 1u);
    EXPECT_EQ(std::get<0>(leaked(l)[0]), kChildTable);
    EXPECT_TRUE(l.leaks[0].fds[0].table_exited);
}

TEST(TraceLedger, CloseRangeClosesOnlyItsRangeAndToTheEndWhenLastIsNegative) {
    Trace t;
    EventIndex three = t.open(3);
    t.open(4);
    t.open(6);
    EventIndex seven = t.open(7);
    t.close_range(4, 6);
    EXPECT_EQ(leaked(t.ledger()), (Leaks{{kParentTable, 3, three}, {kParentTable, 7, seven}}));
    t.close_range(3, -1);
    EXPECT_TRUE(t.ledger().leaks.empty());
}

TEST(TraceLedger, CloseRangeCloexecOnlyFlagsThenExecCloses) {
    Trace t;
    t.open(3);
    t.open(4);
    t.close_range(4, -1, CLOSE_RANGE_CLOEXEC);
    EXPECT_EQ(leaked(t.ledger()).size(), 2u);  // still open
    t.exec(kParent, kParentTable);
    EXPECT_EQ(crossed(t.ledger()), std::vector<int>{3});
}

TEST(TraceLedger, CloseRangeUnshareClosesInTheCopyOnly) {
    Trace t;
    t.open(3);
    t.spawn(Op::Clone, kParentTable);  // the child shares
    FdEvent e = Trace::on(Op::CloseRange, kChild, kParentTable);
    e.fd = 0;
    e.fd2 = -1;
    e.flags = CLOSE_RANGE_UNSHARE;
    e.new_table = kChildTable;
    t.add(e);
    EXPECT_EQ(leaked(t.ledger()), (Leaks{{kParentTable, 3, 0}}));
}

TEST(TraceLedger, Dup2OntoAnOpenFdClosesItAndTheNewFdIsTheDups) {
    Trace t;
    EventIndex src = t.open(3, 1);
    t.open(4, 2);
    EventIndex dup = t.dup(Op::Dup2, 3, 4, false, 9);
    TraceLedger l = t.ledger();
    EXPECT_EQ(leaked(l), (Leaks{{kParentTable, 3, src}, {kParentTable, 4, dup}}));
    for (const LeakGroup& g : l.leaks) EXPECT_NE(g.stack, 2u);
}

TEST(TraceLedger, Dup2OntoItselfChangesNothing) {
    Trace t;
    EventIndex src = t.open(3, 1, true);
    t.dup(Op::Dup2, 3, 3);
    t.exec(kParent, kParentTable);  // still cloexec: closed, no crossing
    TraceLedger l = t.ledger();
    EXPECT_TRUE(l.crossings.empty());
    EXPECT_TRUE(l.leaks.empty());
    (void)src;
}

TEST(TraceLedger, DupCloexecComesFromTheEventNotTheSource) {
    Trace t;
    t.open(3, 1, true);
    t.dup(Op::Dup, 3, 4, false);               // dup clears FD_CLOEXEC
    t.dup(Op::Dup3, 3, 5, true);               // dup3(O_CLOEXEC)
    t.dup(Op::FcntlDupfdCloexec, 3, 6, true);
    t.exec(kParent, kParentTable);
    EXPECT_EQ(crossed(t.ledger()), std::vector<int>{4});
}

TEST(TraceLedger, DoubleCloseNamesBothClosesAndTheCreation) {
    Trace t;
    EventIndex created = t.open(3);
    EventIndex first = t.close(3);
    EventIndex second = t.close(3, EBADF);
    EventIndex third = t.close(3, EBADF);
    TraceLedger l = t.ledger();
    EXPECT_EQ(double_closes(l), (ClosePairs{{second, first}, {third, second}}));
    EXPECT_EQ(l.double_closes[0].created, created);
    EXPECT_TRUE(l.stale_closes.empty());
}

TEST(TraceLedger, AnOpenBetweenTwoClosesIsNoDoubleClose) {
    Trace t;
    t.open(3);
    t.close(3);
    t.open(3);
    t.close(3);
    TraceLedger l = t.ledger();
    EXPECT_TRUE(l.double_closes.empty());
    EXPECT_TRUE(l.stale_closes.empty());
}

TEST(TraceLedger, ImplicitClosesCountAsTheFirstClose) {
    Trace t;
    t.open(3, 1, true);
    EventIndex exec = t.exec(kParent, kParentTable);
    EventIndex after_exec = t.close(3, EBADF);
    t.open(5);
    EventIndex range = t.close_range(5, 5);
    EventIndex after_range = t.close(5, EBADF);
    EXPECT_EQ(double_closes(t.ledger()), (ClosePairs{{after_exec, exec}, {after_range, range}}));
}

TEST(TraceLedger, CloseOfANumberNeverOpenIsStaleAndStaysStale) {
    Trace t;
    EventIndex a = t.close(9, EBADF);
    EventIndex b = t.close(9, EBADF);
    TraceLedger l = t.ledger();
    ASSERT_EQ(l.stale_closes.size(), 2u);
    EXPECT_EQ(l.stale_closes[0].close, a);
    EXPECT_EQ(l.stale_closes[1].close, b);
    EXPECT_TRUE(l.double_closes.empty());
}

TEST(TraceLedger, CloseFailingWithEintrStillReleasesTheNumber) {
    Trace t;
    t.open(3);
    t.close(3, EINTR);
    TraceLedger l = t.ledger();
    EXPECT_TRUE(l.leaks.empty());
    EXPECT_TRUE(l.stale_closes.empty());
}

TEST(TraceLedger, FailedCallsAreGroupedByOpAndErrnoMostFirstAndCreateNothing) {
    Trace t;
    EventIndex first = t.fail(Op::Openat, EMFILE);
    t.fail(Op::Openat, EMFILE);
    t.fail(Op::Openat, EMFILE);
    t.fail(Op::Openat, ENOENT);
    t.fail(Op::Accept4, EMFILE);
    t.fail(Op::Accept4, EMFILE);
    TraceLedger l = t.ledger();
    ASSERT_EQ(l.errors.size(), 3u);
    EXPECT_EQ(l.errors[0].op, Op::Openat);
    EXPECT_EQ(l.errors[0].error, EMFILE);
    EXPECT_EQ(l.errors[0].count, 3u);
    EXPECT_EQ(l.errors[0].first, first);
    EXPECT_EQ(l.errors[1].op, Op::Accept4);
    EXPECT_EQ(l.errors[1].count, 2u);
    EXPECT_EQ(l.errors[2].error, ENOENT);
    EXPECT_TRUE(l.leaks.empty());
}

TEST(TraceLedger, PresentFdsAreListedApartFromLeaks) {
    Trace t;
    FdEvent p = Trace::on(Op::Present, kParent, kParentTable);
    p.fd = 0;
    EventIndex present = t.add(p);
    EventIndex mine = t.open(3);
    t.close(0);  // closing a present fd is neither stale nor double
    p.fd = 1;
    EventIndex kept = t.add(p);
    TraceLedger l = t.ledger();
    EXPECT_EQ(leaked(l), (Leaks{{kParentTable, 3, mine}}));
    ASSERT_EQ(l.present_open.size(), 1u);
    EXPECT_EQ(l.present_open[0].created, kept);
    EXPECT_TRUE(l.stale_closes.empty());
    (void)present;
}

TEST(TraceLedger, LostEventsAreCounted) {
    Trace t;
    FdEvent lost = Trace::on(Op::Lost, 0, 0);
    lost.result = 42;
    t.add(lost);
    EXPECT_EQ(t.ledger().lost_events, 42u);
}

}  // namespace
}  // namespace fdscope::report
