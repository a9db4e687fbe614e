// The trace report on ledgers of hand-built event sequences: what it says,
// in which order, the fixes and the --fail-on verdict.
#include "report/trace_report.hpp"

#include <cerrno>
#include <csignal>
#include <gtest/gtest.h>
#include <vector>

#include "report/trace_events.hpp"

namespace fdscope::report {
namespace {

constexpr std::uint64_t kStart = 5'000'000'000;  // tracing began at 5 s of CLOCK_MONOTONIC
constexpr FdTableId kTable = 1;
constexpr FdTableId kChildTable = 2;

struct Events : testing::TraceEvents {
    Events() { start_ns = kStart; }
    TraceLedger ledger() const { return trace_ledger(list); }
};

ProcessRecord process(pid_t pid, pid_t parent, std::string exe, std::uint64_t start_ns, int wait_status = -1) {
    ProcessRecord p;
    p.pid = pid;
    p.parent = parent;
    p.exe = std::move(exe);
    p.start_ns = start_ns;
    if (wait_status >= 0) {
        p.exited = true;
        p.wait_status = wait_status;
        p.end_ns = start_ns + 2'000'000'000;
    }
    return p;
}

TraceRun run_of(std::vector<ProcessRecord> processes) {
    TraceRun run;
    run.engine = "ptrace";
    run.exit_status = 0;
    run.processes = std::move(processes);
    run.start_ns = kStart;
    return run;
}

TEST(TraceReport, ProcessesAreListedByStartWithTheirExit) {
    TraceRun run = run_of({process(101, 100, "/bin/sh", kStart + 500'000'000, SIGKILL),
                           process(100, 0, "/usr/bin/server", kStart, 3 << 8)});
    run.processes[1].command = "server";
    TraceReport r = build_trace_report(TraceLedger{}, run);
    ASSERT_EQ(r.processes.size(), 2u);
    EXPECT_EQ(r.processes[0].pid, 100);
    EXPECT_EQ(r.processes[0].command, "server");
    EXPECT_EQ(r.processes[0].exit_code, 3);
    EXPECT_FALSE(r.processes[0].signal);
    EXPECT_DOUBLE_EQ(r.processes[0].start, 0.0);
    EXPECT_DOUBLE_EQ(*r.processes[0].end, 2.0);
    EXPECT_EQ(r.processes[1].command, "sh");  // no comm recorded: the exe's name
    EXPECT_EQ(r.processes[1].signal, SIGKILL);
    EXPECT_DOUBLE_EQ(r.processes[1].start, 0.5);
    EXPECT_EQ(r.engine, "ptrace");
    EXPECT_EQ(r.exit_status, 0);
}

TEST(TraceReport, LeaksBiggestFirstWithTheirCommandAndTimes) {
    Events ev;
    ev.create(Op::Openat, 3, 7, Kind::File, "/var/log/a");
    for (int fd = 4; fd < 7; ++fd) ev.create(Op::Socket, fd, 8, Kind::Tcp, "tcp");
    TraceRun run = run_of({process(100, 0, "/usr/bin/server", kStart)});
    TraceReport r = build_trace_report(ev.ledger(), run);
    ASSERT_EQ(r.leaks.size(), 2u);
    EXPECT_EQ(r.leaked_fds, 4u);
    EXPECT_EQ(r.leaks[0].count, 3u);
    EXPECT_EQ(r.leaks[0].created.stack, 8u);
    EXPECT_EQ(r.leaks[0].created.op, Op::Socket);
    EXPECT_EQ(r.leaks[0].command, "server");
    EXPECT_EQ(r.leaks[0].fds, (std::vector<int>{4, 5, 6}));
    EXPECT_DOUBLE_EQ(r.leaks[0].first, 0.001);
    EXPECT_DOUBLE_EQ(r.leaks[0].last, 0.003);
    EXPECT_EQ(r.leaks[1].names, std::vector<std::string>{"/var/log/a"});
}

TEST(TraceReport, CrossingsNameTheCreatorTheProgramAndTheFixStdioIsNotOne) {
    Events ev;
    ev.create(Op::Accept, 4, 9, Kind::Tcp, "tcp");
    ev.create(Op::Openat, 1, 3, Kind::File, "/tmp/out");  // a redirected stdout: meant to cross
    FdEvent& fork = ev.add(Op::Fork, 100);
    fork.result = 101;
    fork.new_table = kChildTable;
    FdEvent& exec = ev.add(Op::Execve, 101, 101, kChildTable);
    exec.new_table = kChildTable;
    exec.name = "/usr/bin/helper";
    TraceReport r = build_trace_report(ev.ledger(), run_of({process(100, 0, "/srv", kStart)}));
    ASSERT_EQ(r.crossed_exec.size(), 1u);
    const TraceCrossing& c = r.crossed_exec[0];
    EXPECT_EQ(c.pid, 100);  // the creator, not the exec'ing child
    EXPECT_EQ(c.fd, 4);
    EXPECT_EQ(c.kind, Kind::Tcp);
    ASSERT_EQ(c.into.size(), 1u);
    EXPECT_EQ(c.into[0].pid, 101);
    EXPECT_EQ(c.into[0].exe, "/usr/bin/helper");
    EXPECT_EQ(c.created.stack, 9u);
    EXPECT_EQ(c.fix, "accept4(…, SOCK_CLOEXEC)");
}

// fdscope launches the command with what its own caller left open: those
// fds cross fdscope's exec of the command, which is not the command's doing.
// They are present at start; a later exec of the command is its own.
void inherited_then_exec(Events& ev, std::int32_t pid) {
    FdEvent& r = ev.add(Op::Reconcile, pid);
    r.result = 1;
    FdEvent& p = ev.add(Op::Present, pid);
    p.fd = 10;
    p.kind = Kind::Pipe;
    p.name = "pipe:[7]";
    ev.add(Op::Execve, pid).name = "/usr/bin/cmd";
}

TEST(TraceReport, WhatTheLaunchedCommandInheritedDoesNotCrossFdscopesExecOfIt) {
    Events ev;
    inherited_then_exec(ev, 100);
    TraceReport launched = build_trace_report(ev.ledger(), run_of({process(100, 0, "/usr/bin/cmd", kStart)}));
    EXPECT_TRUE(launched.crossed_exec.empty());
    ASSERT_EQ(launched.untraced_open.size(), 1u);

    // Attached: the process's own first exec seen is its own.
    TraceRun attached = run_of({process(100, 0, "/usr/bin/cmd", kStart)});
    attached.exit_status.reset();
    EXPECT_EQ(build_trace_report(ev.ledger(), attached).crossed_exec.size(), 1u);

    // The command's next exec: the inherited fd crosses that one.
    ev.add(Op::Execve, 100).name = "/bin/sh";
    TraceReport again = build_trace_report(ev.ledger(), run_of({process(100, 0, "/bin/sh", kStart)}));
    ASSERT_EQ(again.crossed_exec.size(), 1u);
    ASSERT_EQ(again.crossed_exec[0].into.size(), 1u);
    EXPECT_EQ(again.crossed_exec[0].into[0].exe, "/bin/sh");
}

TEST(TraceReport, OneFdSurvivingManyExecsIsOneCrossingWithEveryTarget) {
    Events ev;
    ev.create(Op::Pipe, 3, 4, Kind::Pipe, "pipe").fd2 = 4;
    for (std::int32_t child = 101; child < 104; ++child) {
        FdEvent& fork = ev.add(Op::Fork, 100);
        fork.result = child;
        fork.new_table = static_cast<FdTableId>(child);
        FdEvent& exec = ev.add(Op::Execve, child, child, static_cast<FdTableId>(child));
        exec.new_table = exec.table;
        exec.name = "/bin/true";
    }
    TraceReport r = build_trace_report(ev.ledger(), run_of({}));
    ASSERT_EQ(r.crossed_exec.size(), 2u);  // the read end and the write end
    EXPECT_EQ(r.crossed_exec[0].fd, 3);
    EXPECT_EQ(r.crossed_exec[1].fd, 4);
    ASSERT_EQ(r.crossed_exec[0].into.size(), 3u);
    EXPECT_EQ(r.crossed_exec[0].into[2].pid, 103);
    EXPECT_EQ(r.crossed_exec[0].fix, "pipe2(…, O_CLOEXEC)");
}

TEST(TraceReport, TheFixIsAFunctionOfTheCreatingCall) {
    EXPECT_EQ(cloexec_fix(Op::Openat, false, Origin::Traced), "add O_CLOEXEC");
    EXPECT_EQ(cloexec_fix(Op::Open, false, Origin::Traced), "add O_CLOEXEC");
    EXPECT_EQ(cloexec_fix(Op::Socket, false, Origin::Traced), "add SOCK_CLOEXEC to the type");
    EXPECT_EQ(cloexec_fix(Op::Pipe, false, Origin::Traced), "pipe2(…, O_CLOEXEC)");
    EXPECT_EQ(cloexec_fix(Op::Dup, false, Origin::Traced), "fcntl(fd, F_DUPFD_CLOEXEC, …)");
    EXPECT_EQ(cloexec_fix(Op::Dup2, false, Origin::Traced), "dup3(…, O_CLOEXEC)");
    EXPECT_EQ(cloexec_fix(Op::Eventfd, false, Origin::Traced), "add EFD_CLOEXEC");
    EXPECT_EQ(cloexec_fix(Op::EpollCreate, false, Origin::Traced), "epoll_create1(EPOLL_CLOEXEC)");
    EXPECT_EQ(cloexec_fix(Op::Creat, false, Origin::Traced), "open(…, O_CREAT|O_WRONLY|O_TRUNC|O_CLOEXEC) instead of creat");
    EXPECT_EQ(cloexec_fix(Op::Openat, false, Origin::PresentAtStart), "close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) before exec");
    EXPECT_EQ(cloexec_fix(Op::Present, false, Origin::Unknown), "close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) before exec");
    EXPECT_NE(cloexec_fix(Op::PidfdOpen, true, Origin::Traced).find("FIONCLEX"), std::string::npos);
}

TEST(TraceReport, AStaleCloseCarriesItsEvidenceChain) {
    Events ev;
    ev.create(Op::Openat, 5, 10, Kind::File, "/a");
    ev.close(5, 11);
    FdEvent& victim = ev.create(Op::Openat, 5, 20, Kind::File, "/var/log/app.log");
    victim.tid = 102;
    ev.close(5, 11);
    ev.close(5, 21, 102, EBADF);
    TraceReport r = build_trace_report(ev.ledger(), run_of({process(100, 0, "/app", kStart)}));
    ASSERT_EQ(r.stale_closes.size(), 1u);
    const TraceStaleClose& s = r.stale_closes[0];
    EXPECT_EQ(s.fd, 5);
    EXPECT_EQ(s.tid, 100);
    EXPECT_EQ(s.closed.stack, 11u);
    EXPECT_EQ(s.victim.tid, 102);
    EXPECT_EQ(s.victim.stack, 20u);
    EXPECT_EQ(s.victim_name, "/var/log/app.log");
    ASSERT_TRUE(s.victim_ebadf);
    EXPECT_EQ(s.victim_ebadf->stack, 21u);
    EXPECT_EQ(s.evidence,
              "tid 100 had closed the previous fd 5 (made by tid 100); tid 102 then got fd 5 from openat, and this "
              "close took it; tid 102's own close of fd 5 later failed with EBADF");
    EXPECT_EQ(trace_report_stacks(r), (std::vector<StackId>{10, 11, 20, 21}));
}

TEST(TraceReport, EbadfClosesThenSweepsDoubleClosesAndErrors) {
    Events ev;
    ev.create(Op::Openat, 3, 1, Kind::File, "/a");
    ev.close(3, 2);
    ev.close(3, 4, 100, EBADF);                            // double close
    ev.add(Op::Openat, 100).error = EMFILE;                // anything else: ends the run
    ev.close(40, 5, 100, EBADF);                           // never opened
    for (int fd = 50; fd < 60; ++fd) ev.close(fd, 6, 100, EBADF);  // a sweep
    TraceReport r = build_trace_report(ev.ledger(), run_of({}));
    ASSERT_EQ(r.double_closes.size(), 1u);
    EXPECT_EQ(r.double_closes[0].second.stack, 4u);
    EXPECT_EQ(r.double_closes[0].first.stack, 2u);
    EXPECT_EQ(r.double_closes[0].created.stack, 1u);
    EXPECT_EQ(r.double_closes[0].name, "/a");
    ASSERT_EQ(r.ebadf_closes.size(), 2u);
    EXPECT_FALSE(r.ebadf_closes[0].sweep);
    EXPECT_EQ(r.ebadf_closes[0].fd, 40);
    EXPECT_TRUE(r.ebadf_closes[1].sweep);
    EXPECT_EQ(r.ebadf_closes[1].fd, 50);
    EXPECT_EQ(r.ebadf_closes[1].last_fd, 59);
    EXPECT_EQ(r.ebadf_closes[1].count, 10u);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].errno_name, "EMFILE");
    EXPECT_EQ(r.summary.errors, 13u);
}

TEST(TraceReport, SummaryCountsSyscallsKindsPeaksAndTheEnginesFigures) {
    Events ev;
    ev.add(Op::Reconcile, 100).result = 0;  // an empty table at start
    for (int i = 0; i < 3; ++i) {
        ev.create(Op::Openat, 3, 1, Kind::File, "/a");
        ev.close(3, 2);
    }
    ev.create(Op::Pipe2, 3, 1, Kind::Pipe, "pipe").fd2 = 4;
    TraceRun run = run_of({process(100, 0, "/bin/app", kStart)});
    run.stats.stops = 40;
    run.stats.syscall_stops = 30;
    run.stats.notes = {"attached: every syscall stops"};
    TraceReport r = build_trace_report(ev.ledger(), run);
    const TraceSummary& s = r.summary;
    ASSERT_EQ(s.syscalls.size(), 3u);  // reconcile is no syscall
    EXPECT_EQ(s.syscalls[0].op, Op::Openat);
    EXPECT_EQ(s.syscalls[0].calls, 3u);
    EXPECT_EQ(s.syscalls[2].op, Op::Pipe2);
    ASSERT_EQ(s.kinds.size(), 2u);
    EXPECT_EQ(s.kinds[0].kind, Kind::File);
    EXPECT_EQ(s.kinds[1].created, 2u);  // both ends
    ASSERT_EQ(s.peak_fds.size(), 1u);
    EXPECT_EQ(s.peak_fds[0].fds, 2u);
    EXPECT_EQ(s.peak_fds[0].command, "app");
    EXPECT_EQ(s.stops, 40u);
    EXPECT_EQ(s.syscall_stops, 30u);
    EXPECT_EQ(s.reconciles, 1u);
    EXPECT_EQ(r.notes, std::vector<std::string>{"attached: every syscall stops"});
}

TEST(TraceReport, LostEventsAreSaidWithTheProcessesAffected) {
    Events ev;
    ev.add(Op::Lost, 101).result = 7;
    TraceRun run = run_of({});
    run.stats.lost_pids = {101, 102};
    TraceReport r = build_trace_report(ev.ledger(), run);
    EXPECT_EQ(r.lost_events, 7u);
    using Lost = std::vector<std::pair<pid_t, std::uint64_t>>;
    EXPECT_EQ(r.summary.lost_by_pid, (Lost{{101, 7}, {102, 0}}));
    ASSERT_EQ(r.notes.size(), 1u);
    EXPECT_EQ(r.notes[0], "7 events were lost (pids 101, 102): the findings may be incomplete");
}

TEST(TraceReport, FailOnNamesTheFindingsThatFailTheRun) {
    Events ev;
    for (int fd = 3; fd < 6; ++fd) ev.create(Op::Openat, fd, 1, Kind::File, "/a");
    ev.close(9, 2, 100, EBADF);
    const TraceReport r = build_trace_report(ev.ledger(), run_of({}));
    EXPECT_FALSE(fails(r, FailOn{}));
    EXPECT_EQ(failures(r, {.leak = true}), std::vector<std::string>{"leak"});
    EXPECT_FALSE(fails(r, {.leak = true, .max_leaks = 3}));
    EXPECT_TRUE(fails(r, {.leak = true, .max_leaks = 2}));
    EXPECT_FALSE(fails(r, {.crossed_exec = true, .stale_close = true, .double_close = true}))
        << "an EBADF close of a never-opened number is no double close";

    Events both;
    both.create(Op::Socket, 3, 1, Kind::Tcp, "tcp");
    both.close(3, 2);
    both.close(3, 2, 100, EBADF);
    both.create(Op::Socket, 4, 1, Kind::Tcp, "tcp");
    both.add(Op::Execve, 100).name = "/bin/true";
    const TraceReport b = build_trace_report(both.ledger(), run_of({}));
    EXPECT_EQ(failures(b, {.leak = true, .crossed_exec = true, .stale_close = true, .double_close = true}),
              (std::vector<std::string>{"leak", "crossed-exec", "double-close"}));
}

}  // namespace
}  // namespace fdscope::report
