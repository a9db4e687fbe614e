// The account's arithmetic on hand-built snapshots: SysV attaches a forked
// child shares with its parent (procfs has no struct file for them), and
// fd tables that could not be read.
#include "report/account.hpp"

#include <gtest/gtest.h>

#include "model_builders.hpp"

namespace fdscope::report {
namespace {

using testing::add_table;
using testing::make_process;

// An id-less SysV attach row of segment `shmid` at `start`, as procfs reads it.
OpenFile attach(Process& p, std::uint64_t shmid, std::uint64_t start) {
    OpenFile f = testing::make_assoc(p, Assoc::Shm, "/SYSV00001234", Kind::File);
    f.inode = shmid;
    f.dev = 1;
    f.range = std::make_unique<MapRange>();
    f.range->start = start;
    f.range->end = start + 65536;
    return f;
}

TEST(AccountReport, ForkSharedAttachIsOneHandleOwnAttachesAreMore) {
    Snapshot s;
    s.backend = "procfs";
    s.file_nr = {100, 0, 1000};
    s.shm.push_back(ShmSegment{0x1234, 7, 0600, 65536, 10, 10, 4, 0});
    Process parent = make_process(10, "app");
    add_table(parent, 10, true);
    parent.assocs.push_back(attach(parent, 7, 0x10000));
    Process child = make_process(11, "app");  // forked: the parent's attach at its address
    child.ppid = 10;
    add_table(child, 11, true);
    child.assocs.push_back(attach(child, 7, 0x10000));
    child.assocs.push_back(attach(child, 7, 0x40000));  // its own shmat()
    Process orphan = make_process(12, "app");  // its parent detached (or is gone): its own handle
    orphan.ppid = 99;
    add_table(orphan, 12, true);
    orphan.assocs.push_back(attach(orphan, 7, 0x10000));
    s.processes.push_back(std::move(parent));
    s.processes.push_back(std::move(child));
    s.processes.push_back(std::move(orphan));

    const Account a = account(s, std::nullopt, true);
    EXPECT_EQ(a.held_by.sysv_shm, 3u + 1u) << "three attach handles and the segment's file";
    ASSERT_EQ(a.segments.size(), 1u);
    EXPECT_EQ(a.segments[0].attaches, 3u);
    EXPECT_EQ(a.segments[0].pids.size(), 3u);
    for (const auto& p : a.processes) EXPECT_EQ(p.sysv_shm, p.pid == 11 ? 2u : 1u) << "pid " << p.pid << ": its own view";
}

TEST(AccountReport, UnreadableFdsHoldNoMoreThanFileNrLeaves) {
    Snapshot s;
    s.backend = "procfs";
    s.file_nr = {100, 0, 1000};
    Process mine = make_process(10, "shell");
    FdTable& t = add_table(mine, 10, true);
    for (int fd = 0; fd < 10; ++fd) {
        OpenFile f = testing::make_file(mine, fd, Kind::File, "/tmp/f", 100 + static_cast<std::uint64_t>(fd));
        f.description = static_cast<std::uint32_t>(fd);
        t.fds.push_back(std::move(f));
    }
    Process theirs = make_process(20, "db", 0);
    add_table(theirs, 20, true).counted = 5000;
    s.processes.push_back(std::move(mine));
    s.processes.push_back(std::move(theirs));

    const Account a = account(s, std::nullopt, false);
    EXPECT_EQ(a.unreadable_fds, 5000u);
    EXPECT_EQ(a.unreadable_handles, 90u) << "what file-nr leaves once the 10 readable are counted";
    EXPECT_EQ(a.held_by.fd_tables, 100u);
    EXPECT_EQ(a.held_by.over, 0u);
    EXPECT_FALSE(a.exact);
    ASSERT_FALSE(a.inexact.empty());
    EXPECT_NE(a.inexact[0].find("5,000 of 5,010 fds could not be read"), std::string::npos) << a.inexact[0];
    EXPECT_NE(a.inexact[0].find("run as root"), std::string::npos) << a.inexact[0];
    EXPECT_EQ(a.verdict.find("5,010 of 100"), std::string::npos) << a.verdict;
    EXPECT_NE(a.verdict.find("could not read 5,000 of 5,010 fds"), std::string::npos) << a.verdict;
    EXPECT_NE(a.verdict.find("reach 10 of 100 handles"), std::string::npos) << a.verdict;
    // As root the remedy is not "run as root".
    EXPECT_EQ(account(s, std::nullopt, true).inexact[0].find("run as root"), std::string::npos);
}

}  // namespace
}  // namespace fdscope::report
