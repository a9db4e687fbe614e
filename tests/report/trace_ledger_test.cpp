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

// Position of an event in a hand-built sequence.
using EventIndex = std::size_t;

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
    // close(fd) by `tid` from the call site `stack`.
    EventIndex close_at(int fd, StackId stack, std::int32_t tid = kParent, int error = 0) {
        FdEvent e = on(Op::Close, tid, kParentTable);
        e.fd = fd;
        e.error = error;
        e.result = error ? -1 : 0;
        e.stack = stack;
        return add(e);
    }
    // The kernel's table as a reconcile reads it: (fd, kind, name) each.
    void reconcile(const std::vector<std::tuple<int, Kind, std::string>>& fds, FdTableId table = kParentTable) {
        FdEvent r = on(Op::Reconcile, kParent, table);
        r.result = static_cast<std::int64_t>(fds.size());
        add(r);
        for (const auto& [fd, kind, name] : fds) {
            FdEvent p = on(Op::Present, kParent, table);
            p.fd = fd;
            p.kind = kind;
            p.name = name;
            add(p);
        }
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

// Trace::add stamps event i at i µs: a copied event names its index.
EventIndex index_of(const FdEvent& e) { return e.time_ns / 1000; }

// (table, fd, creation) of every leaked fd, in the ledger's order.
std::vector<std::tuple<FdTableId, int, EventIndex>> leaked(const TraceLedger& l) {
    std::vector<std::tuple<FdTableId, int, EventIndex>> out;
    for (const LeakGroup& g : l.leaks)
        for (const LeakedFd& f : g.fds) out.emplace_back(f.table, f.fd, f.created_ns / 1000);
    return out;
}

using Leaks = std::vector<std::tuple<FdTableId, int, EventIndex>>;

// (second close, the close before it) of every double close.
std::vector<std::pair<EventIndex, EventIndex>> double_closes(const TraceLedger& l) {
    std::vector<std::pair<EventIndex, EventIndex>> out;
    for (const DoubleClose& d : l.double_closes) out.emplace_back(index_of(d.close), index_of(d.previous_close));
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
    ASSERT_EQ(l.leaks[0].count, 2u);
    EXPECT_EQ(l.leaks[0].pid, kParent);
    EXPECT_EQ(l.leaks[0].first_ns, t.events[b].time_ns);
    EXPECT_EQ(l.leaks[0].last_ns, t.events[c].time_ns);
    EXPECT_EQ(l.leaks[0].kinds, std::vector<Kind>{Kind::File});
    EXPECT_EQ(l.leaks[0].names, std::vector<std::string>{"/tmp/f"});
    EXPECT_EQ(l.leaks[0].exited, 0u);
    EXPECT_FALSE(l.leaks[0].fds[0].table_exited);
    EXPECT_EQ(l.leaks[1].stack, 7u);
    ASSERT_EQ(l.leaks[1].count, 1u);
    EXPECT_EQ(index_of(l.leaks[1].created), a);
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
    EXPECT_TRUE(l.ebadf_closes.empty());
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
    EXPECT_EQ(index_of(l.crossings[0].exec), exec);
    EXPECT_EQ(l.crossings[0].exec.name, "/bin/sh");
    EXPECT_EQ(l.crossings[0].fd, 3);
    EXPECT_EQ(index_of(l.crossings[0].created), plain);
    EXPECT_EQ(l.crossings[0].origin, Origin::Traced);
    EXPECT_EQ(leaked(l), (Leaks{{kParentTable, 3, plain}}));  // fd 4 was closed by the exec
}

TEST(TraceLedger, TheReconcileAfterAnExecNamesWhatCrossed) {
    Trace t;
    FdEvent s = Trace::on(Op::Socket, kParent, kParentTable);
    s.fd = 3;
    s.result = 3;
    s.kind = Kind::Tcp;  // socket() says only that
    t.add(s);
    t.open(4, 2, false);
    t.exec(kParent, kParentTable);
    t.reconcile({{3, Kind::Tcp, "TCP 127.0.0.1:8080 (LISTEN)"}, {4, Kind::File, "/tmp/f"}});
    TraceLedger l = t.ledger();
    ASSERT_EQ(l.crossings.size(), 2u);
    EXPECT_EQ(l.crossings[0].name, "TCP 127.0.0.1:8080 (LISTEN)");
    EXPECT_EQ(l.crossings[1].name, "/tmp/f");
    EXPECT_TRUE(l.crossings[0].first_exec);
    // A second exec's crossings are its own; the first exec's stay as they were named.
    t.exec(kParent, kParentTable);
    t.reconcile({{3, Kind::Tcp, "TCP 127.0.0.1:8080 (CLOSE_WAIT)"}, {4, Kind::File, "/tmp/f"}});
    l = t.ledger();
    ASSERT_EQ(l.crossings.size(), 4u);
    EXPECT_EQ(l.crossings[0].name, "TCP 127.0.0.1:8080 (LISTEN)");
    EXPECT_EQ(l.crossings[2].name, "TCP 127.0.0.1:8080 (CLOSE_WAIT)");
    EXPECT_FALSE(l.crossings[2].first_exec);
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
    EXPECT_EQ(index_of(l.crossings[0].exec), exec);
    EXPECT_EQ(l.crossings[0].exec.pid, kChild);
    EXPECT_EQ(l.crossings[0].table, kChildTable);
    EXPECT_EQ(index_of(l.crossings[0].created), plain);
    EXPECT_EQ(l.crossings[0].created.stack, 1u);  // the parent's creation stack
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
    for (const LeakGroup& g : l.leaks) {
        EXPECT_EQ(g.exited, g.count);
        for (const LeakedFd& f : g.fds) EXPECT_TRUE(f.table_exited) << f.fd;
    }
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
    // fd 4 was made at another site: a suspicious replace, naming what it replaced.
    ASSERT_EQ(l.suspicious_replaces.size(), 1u);
    EXPECT_EQ(l.suspicious_replaces[0].fd, 4);
    EXPECT_EQ(index_of(l.suspicious_replaces[0].dup), dup);
    EXPECT_EQ(l.suspicious_replaces[0].replaced.stack, 2u);
    EXPECT_EQ(l.suspicious_replaces[0].name, "/tmp/f");
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
    EXPECT_EQ(index_of(l.double_closes[0].created), created);
    EXPECT_TRUE(l.ebadf_closes.empty());
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
    EXPECT_TRUE(l.ebadf_closes.empty());
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

TEST(TraceLedger, CloseOfANumberNeverOpenIsAnEbadfCloseAndNeverBecomesADoubleClose) {
    Trace t;
    EventIndex a = t.close(9, EBADF);
    EventIndex b = t.close(9, EBADF);
    TraceLedger l = t.ledger();
    ASSERT_EQ(l.ebadf_closes.size(), 2u);
    EXPECT_EQ(index_of(l.ebadf_closes[0].close), a);
    EXPECT_EQ(index_of(l.ebadf_closes[1].close), b);
    EXPECT_TRUE(l.double_closes.empty());
    EXPECT_TRUE(l.sweeps.empty());
    EXPECT_TRUE(l.errors.empty()) << "EBADF closes are reported by the close rules";
    EXPECT_EQ(l.summary.errors, 2u);
}

TEST(TraceLedger, CloseFailingWithEintrStillReleasesTheNumber) {
    Trace t;
    t.open(3);
    t.close(3, EINTR);
    TraceLedger l = t.ledger();
    EXPECT_TRUE(l.leaks.empty());
    EXPECT_TRUE(l.ebadf_closes.empty());
    ASSERT_EQ(l.errors.size(), 1u);  // a failed call all the same
    EXPECT_EQ(l.errors[0].error, EINTR);
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
    EXPECT_EQ(index_of(l.errors[0].first), first);
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
    ASSERT_EQ(l.untraced_open.size(), 1u);
    EXPECT_EQ(l.untraced_open[0].cls, LeakClass::PresentAtStart);
    EXPECT_EQ(index_of(l.untraced_open[0].created), kept);
    EXPECT_TRUE(l.stale_closes.empty());
    EXPECT_TRUE(l.ebadf_closes.empty());
    EXPECT_EQ(l.summary.present_at_start, 2u);
    (void)present;
}

TEST(TraceLedger, LostEventsAreCounted) {
    Trace t;
    FdEvent lost = Trace::on(Op::Lost, 0, 0);
    lost.result = 42;
    t.add(lost);
    lost.pid = 4242;
    lost.result = 8;
    t.add(lost);
    const Summary s = t.ledger().summary;
    EXPECT_EQ(s.lost_events, 50u);
    using Lost = std::vector<std::pair<std::int32_t, std::uint64_t>>;
    EXPECT_EQ(s.lost_by_pid, (Lost{{0, 42}, {4242, 8}}));
}

// --- stale closes: fdsan's rule, on incarnations ---------------------------

constexpr std::int32_t kWorker = 102;

TEST(TraceLedger, TheClassicTwoThreadStaleCloseNamesBothStacksAndTheVictim) {
    Trace t;
    EventIndex first_open = t.open(5, 10);                  // A: open, gets 5
    EventIndex first_close = t.close_at(5, 11);             // A: close(5)
    EventIndex victim = t.open(5, 20, false, kWorker);      // B: open, gets 5 again
    EventIndex stale = t.close_at(5, 11);                   // A: close(5) again, closes B's file
    EventIndex ebadf = t.close_at(5, 21, kWorker, EBADF);   // B: its own close fails
    TraceLedger l = t.ledger();
    ASSERT_EQ(l.stale_closes.size(), 1u);
    const StaleClose& s = l.stale_closes[0];
    EXPECT_EQ(index_of(s.close), stale);
    EXPECT_EQ(s.close.stack, 11u);
    EXPECT_EQ(s.close.tid, kParent);
    EXPECT_EQ(index_of(s.victim), victim);
    EXPECT_EQ(s.victim.tid, kWorker);
    EXPECT_EQ(s.victim.stack, 20u);
    EXPECT_EQ(s.victim.name, "/tmp/f");
    EXPECT_EQ(index_of(s.previous_created), first_open);
    EXPECT_EQ(index_of(s.previous_closed), first_close);
    EXPECT_EQ(s.tie, StaleTie::ClosedPrevious);
    ASSERT_TRUE(s.victim_ebadf.has_value());
    EXPECT_EQ(index_of(*s.victim_ebadf), ebadf);
    // The victim's EBADF is the stale close's evidence, not a double close of its own.
    EXPECT_TRUE(l.double_closes.empty());
    EXPECT_TRUE(l.ebadf_closes.empty());
    EXPECT_TRUE(l.leaks.empty());
}

TEST(TraceLedger, AStaleCloseByTheThreadThatCreatedThePreviousIncarnation) {
    Trace t;
    t.open(5, 10);                       // A creates 5
    t.close_at(5, 30, kWorker);          // B closes A's 5 by mistake
    t.open(5, 20, false, kWorker);       // B creates 5 again
    t.close_at(5, 11);                   // A closes "its" 5: B's file
    TraceLedger l = t.ledger();
    ASSERT_EQ(l.stale_closes.size(), 1u);
    EXPECT_EQ(l.stale_closes[0].tie, StaleTie::CreatedPrevious);
    EXPECT_FALSE(l.stale_closes[0].victim_ebadf.has_value());
}

TEST(TraceLedger, OneThreadClosingTwiceFromOneSiteIsStaleWhenAnotherSiteReopened) {
    Trace t;
    t.open(5, 10);      // f(): open
    t.close_at(5, 11);  // f()'s cleanup
    t.open(5, 20);      // g(): open, gets 5
    t.close_at(5, 11);  // f()'s cleanup again: g's file
    TraceLedger l = t.ledger();
    ASSERT_EQ(l.stale_closes.size(), 1u);
    EXPECT_EQ(l.stale_closes[0].tie, StaleTie::SameCloseSite);
}

TEST(TraceLedger, AHandOffIsNotStale) {
    Trace t;
    // A creates and closes incarnation 1; A creates 2 and hands it to B, who closes it.
    t.open(5, 10);
    t.close_at(5, 11);
    t.open(5, 12);
    t.close_at(5, 30, kWorker);
    // An acceptor (A) keeps making 6 at one site, workers close it at one site.
    t.open(6, 40);
    t.close_at(6, 30, kWorker);
    t.open(6, 40);
    t.close_at(6, 30, kWorker);  // B closed the previous one too: made alike, not stale
    t.open(6, 40);
    t.close_at(6, 30, 103);      // another worker, same close site
    TraceLedger l = t.ledger();
    EXPECT_TRUE(l.stale_closes.empty());
    EXPECT_TRUE(l.double_closes.empty());
    EXPECT_TRUE(l.leaks.empty());
}

TEST(TraceLedger, TwoThreadsRunningTheSameOpenCloseCodeAreNotStale) {
    Trace t;
    t.open(5, 10);
    t.close_at(5, 11);
    t.open(5, 10, false, kWorker);
    t.close_at(5, 11, kWorker);
    t.open(5, 10);
    t.close_at(5, 11);
    EXPECT_TRUE(t.ledger().stale_closes.empty());
}

TEST(TraceLedger, WithoutStacksOnlyThreadsTieACloserToThePreviousIncarnation) {
    Trace t;
    t.open(5, kNoStack);
    t.close_at(5, kNoStack);
    t.open(5, kNoStack, false, kWorker);
    t.close_at(5, kNoStack, kWorker);  // B closes what it created
    t.open(5, kNoStack);
    t.close_at(5, kNoStack);
    EXPECT_TRUE(t.ledger().stale_closes.empty());
    t.open(5, kNoStack, false, kWorker);
    t.close_at(5, kNoStack);  // A's last touch was incarnation 3, B made 4
    EXPECT_EQ(t.ledger().stale_closes.size(), 1u);
}

// --- sweeps -----------------------------------------------------------------

TEST(TraceLedger, ACloseAllSweepIsOneBenignEntry) {
    Trace t;
    t.open(3, 1);
    t.open(4, 1);
    t.open(6, 1);
    t.close_at(6, 2);                             // closed before: the sweep's EBADF on 6 is no double close
    EventIndex first = t.close_at(3, 50);         // the sweep: 3 and 4 are open
    t.close_at(4, 50);
    for (int fd = 5; fd < 1024; ++fd) t.close_at(fd, 50, kParent, EBADF);
    TraceLedger l = t.ledger();
    ASSERT_EQ(l.sweeps.size(), 1u);
    const CloseSweep& s = l.sweeps[0];
    EXPECT_EQ(s.first_fd, 5);
    EXPECT_EQ(s.last_fd, 1023);
    EXPECT_EQ(s.ebadf, 1019u);
    EXPECT_EQ(s.first.stack, 50u);
    EXPECT_EQ(index_of(s.first), first + 2);
    EXPECT_TRUE(l.ebadf_closes.empty());
    EXPECT_TRUE(l.double_closes.empty());
    EXPECT_TRUE(l.leaks.empty());
}

TEST(TraceLedger, FewerAscendingEbadfClosesThanASweepAreReportedOneByOne) {
    Trace t;
    t.close_at(7, 50, kParent, EBADF);
    t.close_at(9, 50, kParent, EBADF);
    t.open(3);                            // anything else the thread does ends the run
    t.close_at(10, 50, kParent, EBADF);
    t.close_at(11, 51, kParent, EBADF);   // another site
    t.close_at(12, 50, kParent, EBADF);
    TraceLedger l = t.ledger();
    EXPECT_TRUE(l.sweeps.empty());
    EXPECT_EQ(l.ebadf_closes.size(), 5u);
}

// --- leaks ------------------------------------------------------------------

TEST(TraceLedger, FiftyLeaksAmongTenThousandBalancedPairsAreOneGroup) {
    Trace t;
    std::vector<EventIndex> leaks;
    for (int i = 0; i < 10000; ++i) {
        if (i % 200 == 0) leaks.push_back(t.open(3 + static_cast<int>(leaks.size()), 77));
        const int fd = 3 + static_cast<int>(leaks.size());
        t.open(fd, 10);
        t.close_at(fd, 11);
    }
    TraceLedger l = t.ledger();
    ASSERT_EQ(l.leaks.size(), 1u);
    const LeakGroup& g = l.leaks[0];
    EXPECT_EQ(g.stack, 77u);
    EXPECT_EQ(g.count, 50u);
    EXPECT_EQ(g.fds.size(), std::min<std::size_t>(50, kMaxLeakSamples));
    EXPECT_EQ(g.first_ns, t.events[leaks.front()].time_ns);
    EXPECT_EQ(g.last_ns, t.events[leaks.back()].time_ns);
    EXPECT_TRUE(l.stale_closes.empty());
    EXPECT_TRUE(l.double_closes.empty());
    EXPECT_TRUE(l.ebadf_closes.empty());
    EXPECT_EQ(l.summary.ops[static_cast<std::size_t>(Op::Openat)].calls, 10050u);
    EXPECT_EQ(l.summary.ops[static_cast<std::size_t>(Op::Close)].calls, 10000u);
    EXPECT_EQ(l.summary.created[static_cast<std::size_t>(Kind::File)], 10050u);
    using Peaks = std::vector<std::pair<std::int32_t, std::size_t>>;
    EXPECT_EQ(l.summary.peak_fds, (Peaks{{kParent, 51}}));
}

TEST(TraceLedger, TheBookKeepsNoStateBeyondLiveFdsAndTheNumbersInUse) {
    TraceBook book;
    FdEvent open = Trace::on(Op::Openat, kParent, kParentTable);
    open.pid = kParent;
    open.kind = Kind::File;
    open.name = "/dev/null";
    open.stack = 1;
    FdEvent close = Trace::on(Op::Close, kParent, kParentTable);
    close.pid = kParent;
    close.stack = 2;
    open.fd = 3;
    book.add(open);  // held the whole time
    for (int i = 0; i < 1000000; ++i) {
        open.fd = close.fd = 4 + i % 2;
        open.time_ns = close.time_ns = static_cast<std::uint64_t>(i);
        book.add(open);
        book.add(close);
    }
    EXPECT_EQ(book.live_fds(), 1u);
    EXPECT_EQ(book.tracked_numbers(), 3u);  // 3 (live), 4 and 5 (their last close)
    EXPECT_EQ(book.tables(), 1u);
    FdEvent exit = Trace::on(Op::Exit, kParent, kParentTable);
    book.add(exit);
    EXPECT_EQ(book.live_fds(), 0u);
    EXPECT_EQ(book.tracked_numbers(), 0u);
    EXPECT_EQ(book.tables(), 0u);
    TraceLedger l = book.finish();
    ASSERT_EQ(l.leaks.size(), 1u);
    EXPECT_EQ(l.leaks[0].count, 1u);
    EXPECT_EQ(l.leaks[0].exited, 1u);
    EXPECT_EQ(l.summary.events, 2000002u);
}

TEST(TraceLedger, FinishCanBeAskedMidwayAndTheBookGoesOn) {
    TraceBook book;
    Trace t;
    t.open(3);
    for (const FdEvent& e : t.events) book.add(e);
    EXPECT_EQ(book.finish().leaks.size(), 1u);
    t.close(3);
    book.add(t.events.back());
    EXPECT_TRUE(book.finish().leaks.empty());
}

TEST(TraceLedger, StdioCreatedWhileTracedIsListedApart) {
    Trace t;
    t.open(1, 4);  // e.g. a child's dup2 of a pipe onto stdout
    EventIndex mine = t.open(3, 5);
    TraceLedger l = t.ledger();
    EXPECT_EQ(leaked(l), (Leaks{{kParentTable, 3, mine}}));
    ASSERT_EQ(l.stdio_open.size(), 1u);
    EXPECT_EQ(l.stdio_open[0].fds[0].fd, 1);
}

// --- reconciliation -----------------------------------------------------------

TEST(TraceLedger, AReconcileRefinesKnownFdsAndFindsUnseenClosesAndOrigins) {
    Trace t;
    t.reconcile({{0, Kind::Chr, "/dev/pts/0"}, {1, Kind::Chr, "/dev/pts/0"}, {2, Kind::Chr, "/dev/pts/0"}});
    FdEvent s = Trace::on(Op::Socket, kParent, kParentTable);
    s.fd = 3;
    s.kind = Kind::Tcp;
    s.name = "tcp";
    s.stack = 6;
    t.add(s);
    t.open(4, 7);
    // Later the kernel lists 0, 1, 3 and 5: 2 and 4 were closed unseen, 5 was made unseen.
    t.reconcile({{0, Kind::Chr, "/dev/pts/0"},
                 {1, Kind::Chr, "/dev/pts/0"},
                 {3, Kind::Tcp, "TCP 127.0.0.1:8080 (LISTEN)"},
                 {5, Kind::IoUring, "anon_inode:[io_uring]"}});
    t.close(2, EBADF);  // after an unseen close: an EBADF close, not a double close
    TraceLedger l = t.ledger();
    EXPECT_EQ(l.summary.closed_unseen, 2u);
    EXPECT_EQ(l.summary.present_at_start, 3u);
    EXPECT_EQ(l.summary.origin_unknown, 1u);
    EXPECT_EQ(l.summary.reconciles, 2u);
    EXPECT_TRUE(l.double_closes.empty());
    EXPECT_EQ(l.ebadf_closes.size(), 1u);
    ASSERT_EQ(l.leaks.size(), 1u);
    EXPECT_EQ(l.leaks[0].stack, 6u);
    EXPECT_EQ(l.leaks[0].names, std::vector<std::string>{"TCP 127.0.0.1:8080 (LISTEN)"});
    ASSERT_EQ(l.untraced_open.size(), 2u);
    EXPECT_EQ(l.untraced_open[0].cls, LeakClass::PresentAtStart);
    EXPECT_EQ(l.untraced_open[0].count, 2u);  // 0 and 1
    EXPECT_EQ(l.untraced_open[1].cls, LeakClass::OriginUnknown);
    EXPECT_EQ(l.untraced_open[1].fds[0].fd, 5);
}

TEST(TraceLedger, AReconcileAfterTheLastExitDoesNotReviveTheTable) {
    Trace t;
    t.open(3);
    t.exit(kParent, kParentTable);
    t.reconcile({{3, Kind::File, "/tmp/f"}});
    TraceBook book;
    for (const FdEvent& e : t.events) book.add(e);
    EXPECT_EQ(book.tables(), 0u);
    TraceLedger l = book.finish();
    ASSERT_EQ(l.leaks.size(), 1u);
    EXPECT_EQ(l.leaks[0].exited, 1u);
    EXPECT_TRUE(l.untraced_open.empty());
    // A task's event on that id again (the kernel reuses table addresses) makes a new table.
    t.spawn(Op::Fork, kParentTable, 200);
    t.reconcile({{4, Kind::File, "/tmp/g"}});
    EXPECT_EQ(t.ledger().untraced_open.size(), 1u);
}

TEST(TraceLedger, PresentAtStartFdsCrossAnExecWithTheirOrigin) {
    Trace t;
    t.reconcile({{0, Kind::Chr, "/dev/null"}, {7, Kind::Pipe, "pipe:[88]"}});
    t.exec(kParent, kParentTable);
    TraceLedger l = t.ledger();
    ASSERT_EQ(l.crossings.size(), 2u);
    EXPECT_EQ(l.crossings[1].fd, 7);
    EXPECT_EQ(l.crossings[1].origin, Origin::PresentAtStart);
    EXPECT_EQ(l.crossings[1].name, "pipe:[88]");
}

// --- replaces and errors --------------------------------------------------------

TEST(TraceLedger, ReplacesOfStdioOrOfTheSameSiteAreNotSuspicious) {
    Trace t;
    t.open(3, 1);
    t.open(1, 2);
    t.dup(Op::Dup2, 3, 1, false, 9);  // wiring stdout
    t.open(4, 9);
    t.dup(Op::Dup2, 3, 4, false, 9);  // the same site made fd 4
    EXPECT_TRUE(t.ledger().suspicious_replaces.empty());
}

TEST(TraceLedger, ADupOntoANumberTheBookThinksOpenMeansItsCloseWentUnseen) {
    Trace t;
    t.open(4, 2);
    EventIndex dup = t.dup(Op::Dup, 3, 4, false, 9);  // dup takes a free number: 4 was closed unseen
    TraceLedger l = t.ledger();
    EXPECT_TRUE(l.suspicious_replaces.empty());
    EXPECT_EQ(l.summary.closed_unseen, 1u);
    EXPECT_EQ(leaked(l), (Leaks{{kParentTable, 4, dup}}));
}

TEST(TraceLedger, SingleFindingsPastTheCapAreCountedNotKept) {
    Trace t;
    for (std::size_t i = 0; i < kMaxFindings + 5; ++i) t.close(9, EBADF);  // not ascending: no sweep
    TraceLedger l = t.ledger();
    EXPECT_EQ(l.ebadf_closes.size(), kMaxFindings);
    EXPECT_EQ(l.summary.dropped_findings, 5u);
}

TEST(TraceLedger, ErrorsAreGroupedPerSiteWithTheNamesTried) {
    Trace t;
    for (const char* path : {"/etc/a", "/etc/b", "/etc/a"}) {
        FdEvent e = Trace::on(Op::Openat, kParent, kParentTable);
        e.error = ENOENT;
        e.name = path;
        e.stack = 5;
        t.add(e);
    }
    FdEvent other = Trace::on(Op::Openat, kParent, kParentTable);
    other.error = ENOENT;
    other.stack = 6;
    t.add(other);
    TraceLedger l = t.ledger();
    ASSERT_EQ(l.errors.size(), 2u);
    EXPECT_EQ(l.errors[0].stack, 5u);
    EXPECT_EQ(l.errors[0].count, 3u);
    EXPECT_EQ(l.errors[0].names, (std::vector<std::string>{"/etc/a", "/etc/b"}));
    EXPECT_EQ(l.errors[1].stack, 6u);
    EXPECT_EQ(l.summary.errors, 4u);
}

}  // namespace
}  // namespace fdscope::report
