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
    for (int fd = 0; fd <= 2; ++fd) t.fds.push_back(make_file(parent, fd, Kind::Pipe, "", 100 + fd, Mode::Write));
    OpenFile leaky = make_file(parent, 3, Kind::File, "/srv/data", 7, Mode::Read);
    leaky.has_pos = true;
    OpenFile tidy = make_file(parent, 4, Kind::File, "/srv/other", 8, Mode::Read);
    tidy.has_pos = tidy.cloexec = true;
    t.fds.push_back(std::move(leaky));
    t.fds.push_back(std::move(tidy));
    s.processes.push_back(std::move(parent));
    Process lone = make_process(20, "lone");
    FdTable& lt = add_table(lone, 20, true);
    for (int fd = 0; fd <= 2; ++fd) lt.fds.push_back(make_file(lone, fd, Kind::Pipe, "", 200 + fd, Mode::Write));
    OpenFile l = make_file(lone, 3, Kind::File, "/srv/x", 9, Mode::Read);
    l.has_pos = true;
    lt.fds.push_back(std::move(l));
    s.processes.push_back(std::move(lone));
    Process child = make_process(11, "worker");
    child.ppid = 10;
    FdTable& ct = add_table(child, 11, true);
    for (int fd = 0; fd <= 2; ++fd) ct.fds.push_back(make_file(child, fd, Kind::Pipe, "", 100 + fd, Mode::Write));
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

}  // namespace
}  // namespace fdscope::report
