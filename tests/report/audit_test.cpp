// The audit's rules on hand-built snapshots: what the fixtures cannot build
// on this machine (a machine near fs.file-max, closed std streams, kernel
// threads) and the exceptions.
#include "report/audit.hpp"

#include <gtest/gtest.h>

#include "model_builders.hpp"

namespace fdscope::report {
namespace {

using testing::add_table;
using testing::make_assoc;
using testing::make_file;
using testing::make_process;

std::vector<Finding> of_kind(const Audit& a, std::string_view kind) {
    std::vector<Finding> out;
    for (const auto& f : a.findings)
        if (f.kind == kind) out.push_back(f);
    return out;
}

TEST(AuditRules, MachineNearFileMaxIsMediumThenHigh) {
    Snapshot s;
    s.file_nr = {90, 0, 100};
    auto f = of_kind(audit(s, {}), "near-limit");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].severity, Severity::Medium);
    EXPECT_EQ(f[0].pid, 0);
    EXPECT_NE(f[0].fix.find("fdscope account"), std::string::npos);
    s.file_nr = {96, 0, 100};
    EXPECT_EQ(of_kind(audit(s, {}), "near-limit").at(0).severity, Severity::High);
    s.file_nr = {79, 0, 100};
    EXPECT_TRUE(of_kind(audit(s, {}), "near-limit").empty());
    AuditOptions scoped;
    scoped.scope = std::vector<pid_t>{};
    s.file_nr = {99, 0, 100};
    EXPECT_TRUE(of_kind(audit(s, scoped), "near-limit").empty()) << "-p audits processes, not the machine";
}

TEST(AuditRules, ClosedStdStreamsAndKernelThreads) {
    Snapshot s;
    Process p = make_process(10, "daemon");
    FdTable& t = add_table(p, 10, true);
    t.fds.push_back(make_file(p, 0, Kind::Chr, "/dev/null", 5, Mode::ReadWrite));
    t.fds.push_back(make_file(p, 2, Kind::File, "/var/log/d.log", 6, Mode::Write));  // 2 to a log: fine
    s.processes.push_back(std::move(p));
    Process k = make_process(30, "kworker/0:1");
    k.ppid = 2;
    add_table(k, 30, true);
    s.processes.push_back(std::move(k));
    auto f = of_kind(audit(s, {}), "stdio");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].pid, 10);
    EXPECT_EQ(f[0].fd, 1);
    EXPECT_EQ(f[0].name, "(closed)");
    EXPECT_EQ(f[0].severity, Severity::High);
}

TEST(AuditRules, StdinFromAFileIsFineStderrToAReadOnlyFileIsNot) {
    Snapshot s;
    Process p = make_process(10, "tool");
    FdTable& t = add_table(p, 10, true);
    t.fds.push_back(make_file(p, 0, Kind::File, "/etc/input", 5, Mode::Read));      // < input: fine
    t.fds.push_back(make_file(p, 1, Kind::Pipe, "", 6, Mode::Write));
    t.fds.push_back(make_file(p, 2, Kind::File, "/etc/passwd", 7, Mode::Read));     // reused by open()
    s.processes.push_back(std::move(p));
    auto f = of_kind(audit(s, {}), "stdio");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].fd, 2);
}

TEST(AuditRules, StrictNoCloexecOnlyForProcessesWithChildren) {
    Snapshot s;
    Process parent = make_process(10, "server");
    FdTable& t = add_table(parent, 10, true);
    for (int fd = 0; fd <= 2; ++fd) t.fds.push_back(make_file(parent, fd, Kind::Pipe, "", 100U + static_cast<unsigned>(fd), Mode::Write));
    OpenFile leaky = make_file(parent, 3, Kind::File, "/srv/data", 7, Mode::Read);
    leaky.has_pos = true;
    OpenFile tidy = make_file(parent, 4, Kind::File, "/srv/other", 8, Mode::Read);
    tidy.has_pos = tidy.cloexec = true;
    t.fds.push_back(std::move(leaky));
    t.fds.push_back(std::move(tidy));
    s.processes.push_back(std::move(parent));
    Process lone = make_process(20, "lone");
    FdTable& lt = add_table(lone, 20, true);
    for (int fd = 0; fd <= 2; ++fd) lt.fds.push_back(make_file(lone, fd, Kind::Pipe, "", 200U + static_cast<unsigned>(fd), Mode::Write));
    OpenFile l = make_file(lone, 3, Kind::File, "/srv/x", 9, Mode::Read);
    l.has_pos = true;
    lt.fds.push_back(std::move(l));
    s.processes.push_back(std::move(lone));
    Process child = make_process(11, "worker");
    child.ppid = 10;
    FdTable& ct = add_table(child, 11, true);
    for (int fd = 0; fd <= 2; ++fd) ct.fds.push_back(make_file(child, fd, Kind::Pipe, "", 100U + static_cast<unsigned>(fd), Mode::Write));
    s.processes.push_back(std::move(child));

    EXPECT_TRUE(of_kind(audit(s, {}), "no-cloexec").empty()) << "only with --strict";
    AuditOptions strict;
    strict.strict = true;
    auto f = of_kind(audit(s, strict), "no-cloexec");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].pid, 10);
    EXPECT_EQ(f[0].fd, 3);
    EXPECT_EQ(f[0].severity, Severity::Low);
}

TEST(AuditRules, TerminalsAndDevNullAreHandedOnByDesign) {
    Snapshot s;
    Process parent = make_process(10, "shell");
    parent.assocs.push_back(make_assoc(parent, Assoc::Exe, "/bin/bash", Kind::File));
    Process child = make_process(11, "vim");
    child.ppid = 10;
    child.assocs.push_back(make_assoc(child, Assoc::Exe, "/usr/bin/vim", Kind::File));
    FdTable& pt = add_table(parent, 10, true);
    FdTable& ct = add_table(child, 11, true);
    std::uint32_t id = 0;
    for (const char* name : {"/dev/pts/3", "/dev/null"}) {
        OpenFile a = make_file(parent, 5 + static_cast<int>(id), Kind::Chr, name, 50 + id, Mode::ReadWrite);
        OpenFile b = make_file(child, 5 + static_cast<int>(id), Kind::Chr, name, 50 + id, Mode::ReadWrite);
        a.description = b.description = id++;
        pt.fds.push_back(std::move(a));
        ct.fds.push_back(std::move(b));
    }
    OpenFile a = make_file(parent, 9, Kind::File, "/home/u/notes", 60, Mode::ReadWrite);
    OpenFile b = make_file(child, 9, Kind::File, "/home/u/notes", 60, Mode::ReadWrite);
    a.description = b.description = id++;
    pt.fds.push_back(std::move(a));
    ct.fds.push_back(std::move(b));
    s.processes.push_back(std::move(parent));
    s.processes.push_back(std::move(child));
    auto f = of_kind(audit(s, {}), "inherited");
    ASSERT_EQ(f.size(), 1u) << "the terminal and /dev/null are not findings, the file is";
    EXPECT_EQ(f[0].pid, 11);
    EXPECT_EQ(f[0].fd, 9);
    EXPECT_EQ(f[0].severity, Severity::Medium);
    ASSERT_EQ(f[0].holders.size(), 1u);
    EXPECT_EQ(f[0].holders[0].pid, 10);
}

// A server (pid 10) spawned sleep (11), then forked a worker (12) that never
// exec'd, then closed its own copy of the listener: the sleep crossed an exec
// with it, the worker did not. Either age order of the two.
TEST(AuditRules, OpenerClosedItsCopyTheExecdHolderIsNamed) {
    for (bool sleep_older : {true, false}) {
        Snapshot s;
        s.sockets[77] = testing::make_socket(Kind::Tcp, "LISTEN", "127.0.0.1:4000", "0.0.0.0:*");
        s.sockets[77].listening = true;
        Process server = make_process(10, "server");
        server.assocs.push_back(make_assoc(server, Assoc::Exe, "/usr/bin/server", Kind::File));
        add_table(server, 10, true);
        Process sleeper = make_process(11, "sleep");
        sleeper.ppid = 10;
        sleeper.start_time = sleep_older ? 100 : 200;
        sleeper.assocs.push_back(make_assoc(sleeper, Assoc::Exe, "/usr/bin/sleep", Kind::File));
        Process worker = make_process(12, "server");
        worker.ppid = 10;
        worker.start_time = sleep_older ? 200 : 100;
        worker.assocs.push_back(make_assoc(worker, Assoc::Exe, "/usr/bin/server", Kind::File));
        for (Process* p : {&sleeper, &worker}) {
            OpenFile f = make_file(*p, 3, Kind::Tcp, "", 77, Mode::ReadWrite);
            f.description = 0;
            add_table(*p, p->pid, true).fds.push_back(std::move(f));
        }
        s.processes.push_back(std::move(server));
        s.processes.push_back(std::move(sleeper));
        s.processes.push_back(std::move(worker));
        auto f = of_kind(audit(s, {}), "inherited");
        ASSERT_EQ(f.size(), 1u) << "sleep older: " << sleep_older;
        EXPECT_EQ(f[0].pid, 11) << "the holder that exec'd another program";
        EXPECT_EQ(f[0].severity, Severity::High);
        ASSERT_EQ(f[0].holders.size(), 2u);
        EXPECT_EQ(f[0].holders[0].pid, 10) << "the parent it came from";
        EXPECT_EQ(f[0].holders[0].fd, -1) << "which no longer holds it";
        EXPECT_EQ(f[0].holders[1].pid, 12);
        EXPECT_NE(f[0].explain.find("closed its own copy"), std::string::npos) << f[0].explain;
    }
}

// A master started from a shell opens its listener and forks workers: the
// master is where the description comes from, not a process that crossed
// an exec (its parent, the shell, never held it).
TEST(AuditRules, AnOriginForkingWorkersIsNoFinding) {
    Snapshot s;
    Process shell = make_process(5, "bash");
    shell.assocs.push_back(make_assoc(shell, Assoc::Exe, "/usr/bin/bash", Kind::File));
    add_table(shell, 5, true);
    s.processes.push_back(std::move(shell));
    for (pid_t pid : {10, 11, 12}) {
        Process p = make_process(pid, "nginx");
        p.ppid = pid == 10 ? 5 : 10;
        p.start_time = static_cast<std::uint64_t>(pid);
        p.assocs.push_back(make_assoc(p, Assoc::Exe, "/usr/sbin/nginx", Kind::File));
        OpenFile f = make_file(p, 6, Kind::Tcp, "", 80, Mode::ReadWrite);
        f.description = 0;
        add_table(p, pid, true).fds.push_back(std::move(f));
        s.processes.push_back(std::move(p));
    }
    EXPECT_TRUE(of_kind(audit(s, {}), "inherited").empty());
}

// Each stream explained by what its access mode lets the next read or write
// do; a read-write file on 1 or 2 is medium, a listener on 0-2 high.
TEST(AuditRules, StdioExplanationsFollowTheAccessMode) {
    Snapshot s;
    s.sockets[90] = testing::make_socket(Kind::Tcp, "LISTEN", "127.0.0.1:5000", "0.0.0.0:*");
    s.sockets[90].listening = true;
    Process db = make_process(10, "app");
    FdTable& t = add_table(db, 10, true);
    t.fds.push_back(make_file(db, 0, Kind::Chr, "/dev/null", 5, Mode::ReadWrite));
    t.fds.push_back(make_file(db, 1, Kind::File, "/var/lib/app.db", 6, Mode::ReadWrite));
    t.fds.push_back(make_file(db, 2, Kind::Tcp, "", 90, Mode::ReadWrite));
    s.processes.push_back(std::move(db));
    Process ro = make_process(20, "tool");
    FdTable& rt = add_table(ro, 20, true);
    rt.fds.push_back(make_file(ro, 0, Kind::File, "/tmp/out", 7, Mode::Write));
    rt.fds.push_back(make_file(ro, 1, Kind::File, "/etc/config", 8, Mode::Read));
    rt.fds.push_back(make_file(ro, 2, Kind::Pipe, "", 9, Mode::Write));
    s.processes.push_back(std::move(ro));

    auto f = of_kind(audit(s, {}), "stdio");
    ASSERT_EQ(f.size(), 4u);
    auto at = [&](pid_t pid, int fd) -> const Finding& {
        for (const auto& x : f)
            if (x.pid == pid && x.fd == fd) return x;
        ADD_FAILURE() << "no finding on pid " << pid << " fd " << fd;
        return f.front();
    };
    const Finding& rw = at(10, 1);
    EXPECT_EQ(rw.severity, Severity::Medium);
    EXPECT_NE(rw.explain.find("read-write"), std::string::npos) << rw.explain;
    EXPECT_NE(rw.explain.find("written into that file"), std::string::npos) << rw.explain;
    const Finding& listener = at(10, 2);
    EXPECT_EQ(listener.severity, Severity::High);
    EXPECT_NE(listener.explain.find("listening socket"), std::string::npos) << listener.explain;
    const Finding& read_only = at(20, 1);
    EXPECT_EQ(read_only.severity, Severity::High);
    EXPECT_NE(read_only.explain.find("EBADF"), std::string::npos) << read_only.explain;
    EXPECT_EQ(read_only.explain.find("goes into"), std::string::npos) << read_only.explain;
    EXPECT_EQ(read_only.explain.find("written into"), std::string::npos) << read_only.explain;
    const Finding& write_only_in = at(20, 0);
    EXPECT_NE(write_only_in.explain.find("read of stdin fails with EBADF"), std::string::npos) << write_only_in.explain;
}

// prlimit refuses a soft limit above the hard one, and a hard one above
// fs.nr_open: the proposed command never does either.
TEST(AuditRules, NearLimitFixIsACommandPrlimitAccepts) {
    struct Case {
        std::uint64_t soft, hard, nr_open, want_soft, want_hard;
        const char* privilege;  // in the fix
    };
    for (const Case& c : {Case{200, 200, 1048576, 1024, 1024, "CAP_SYS_RESOURCE"},
                          Case{200, 4096, 1048576, 1024, 4096, "no privilege"},
                          Case{1024, 1500, 1048576, 2048, 2048, "CAP_SYS_RESOURCE"},
                          Case{1024, 1024, 1536, 1536, 1536, "CAP_SYS_RESOURCE"},
                          Case{1024, 1024, 1024, 2048, 2048, "sysctl -w fs.nr_open=2048"}}) {
        Snapshot s;
        s.nr_open = c.nr_open;
        Process p = make_process(10, "server");
        p.nofile = {c.soft, c.hard, true};
        add_table(p, 10, true).counted = c.soft * 9 / 10;
        s.processes.push_back(std::move(p));
        auto f = of_kind(audit(s, {}), "near-limit");
        ASSERT_EQ(f.size(), 1u);
        const std::string want = "prlimit --pid 10 --nofile=" + std::to_string(c.want_soft) + ":" + std::to_string(c.want_hard);
        EXPECT_NE(f[0].fix.find(want), std::string::npos) << c.soft << ":" << c.hard << ": " << f[0].fix;
        EXPECT_NE(f[0].fix.find(c.privilege), std::string::npos) << f[0].fix;
    }
}

}  // namespace
}  // namespace fdscope::report
