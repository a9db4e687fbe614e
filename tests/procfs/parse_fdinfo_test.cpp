#include "procfs/parse_fdinfo.hpp"

#include <string>

#include <gtest/gtest.h>

#include "testdata.hpp"

using fdscope::procfs::FdInfo;
using fdscope::procfs::parse_fdinfo;
using fdscope::procfs::testing::sample;
using namespace std::literals;

namespace {
FdInfo must_parse(std::string_view text) {
    auto fi = parse_fdinfo(text);
    EXPECT_TRUE(fi) << text;
    return fi ? std::move(*fi) : FdInfo{};
}
void expect_no_detail(const FdInfo& fi) {
    EXPECT_FALSE(fi.has_detail);
    EXPECT_EQ(fi.detail.eventfd_count, -1);
    EXPECT_EQ(fi.detail.eventfd_id, -1);
    EXPECT_TRUE(fi.detail.epoll_targets.empty());
    EXPECT_TRUE(fi.detail.inotify_watches.empty());
    EXPECT_EQ(fi.detail.signalfd_mask, -1);
    EXPECT_EQ(fi.detail.timerfd_clockid, -1);
    EXPECT_EQ(fi.detail.pidfd_pid, -2);
}
}  // namespace

TEST(ParseFdinfo, RegularFile) {
    FdInfo fi = must_parse(sample("fdinfo/file.txt"));
    EXPECT_EQ(fi.pos, 3u);
    EXPECT_EQ(fi.flags, 02100000u);  // O_CLOEXEC | O_LARGEFILE | O_RDONLY
    EXPECT_EQ(fi.mnt_id, 27);
    EXPECT_TRUE(fi.has_ino);
    EXPECT_EQ(fi.ino, 733u);
    expect_no_detail(fi);
}

TEST(ParseFdinfo, PlainKinds) {
    FdInfo fi = must_parse(sample("fdinfo/pipe.txt"));
    EXPECT_EQ(fi.flags, 02000001u);
    EXPECT_EQ(fi.mnt_id, 16);
    EXPECT_EQ(fi.ino, 6676u);
    expect_no_detail(fi);

    fi = must_parse(sample("fdinfo/socket.txt"));
    EXPECT_EQ(fi.ino, 6756u);
    expect_no_detail(fi);

    fi = must_parse(sample("fdinfo/opath.txt"));
    EXPECT_EQ(fi.flags, 012200000u);  // O_PATH | O_CLOEXEC | O_DIRECTORY
    EXPECT_EQ(fi.ino, 247066u);

    fi = must_parse(sample("fdinfo/memfd.txt"));
    EXPECT_EQ(fi.mnt_id, 0);
    EXPECT_EQ(fi.ino, 1025u);

    fi = must_parse(sample("fdinfo/deleted.txt"));
    EXPECT_EQ(fi.flags, 02102002u);  // O_APPEND | O_RDWR ...
    EXPECT_EQ(fi.ino, 10952938u);
}

TEST(ParseFdinfo, LockLineAndOtherKindsAreIgnored) {
    FdInfo fi = must_parse(sample("fdinfo/locked.txt"));
    EXPECT_EQ(fi.ino, 10952861u);
    expect_no_detail(fi);
    fi = must_parse(sample("fdinfo/io_uring.txt"));
    EXPECT_EQ(fi.ino, 30520u);
    expect_no_detail(fi);
    fi = must_parse(sample("fdinfo/bpf_map.txt"));
    expect_no_detail(fi);
    fi = must_parse(sample("fdinfo/userfaultfd.txt"));
    EXPECT_EQ(fi.flags, 02000000u);
    expect_no_detail(fi);
    fi = must_parse(sample("fdinfo/fanotify.txt"));
    expect_no_detail(fi);
}

TEST(ParseFdinfo, Eventfd) {
    // Captured from os.eventfd(0x1234abcd): the count is printed in hex.
    FdInfo fi = must_parse(sample("fdinfo/eventfd.txt"));
    EXPECT_EQ(fi.flags, 04002u);  // O_NONBLOCK | O_RDWR
    EXPECT_TRUE(fi.has_detail);
    EXPECT_EQ(fi.detail.eventfd_count, 0x1234abcd);
    EXPECT_EQ(fi.detail.eventfd_id, 1);
}

TEST(ParseFdinfo, EventfdCountClampsAtInt64Max) {
    FdInfo fi = must_parse("pos:\t0\nflags:\t02\neventfd-count: fffffffffffffffe\n");
    EXPECT_EQ(fi.detail.eventfd_count, INT64_MAX);
    fi = must_parse("pos:\t0\nflags:\t02\neventfd-count: 10000000000000000\n");  // 2^64: overflow
    EXPECT_EQ(fi.detail.eventfd_count, -1);
    EXPECT_FALSE(fi.has_detail);
}

TEST(ParseFdinfo, Epoll) {
    FdInfo fi = must_parse(sample("fdinfo/epoll.txt"));
    EXPECT_TRUE(fi.has_detail);
    ASSERT_EQ(fi.detail.epoll_targets.size(), 2u);
    EXPECT_EQ(fi.detail.epoll_targets[0].tfd, 6);
    EXPECT_EQ(fi.detail.epoll_targets[0].events, 0x80000019u);  // EPOLLET|EPOLLIN|...
    EXPECT_EQ(fi.detail.epoll_targets[0].inode, 0x1a14u);
    EXPECT_EQ(fi.detail.epoll_targets[1].tfd, 4);
    EXPECT_EQ(fi.detail.epoll_targets[1].events, 0x1du);
    EXPECT_EQ(fi.detail.epoll_targets[1].inode, 0x40eu);
}

TEST(ParseFdinfo, EpollTfdIsDecimal) {
    FdInfo fi = must_parse(sample("fdinfo/epoll_many.txt"));
    ASSERT_EQ(fi.detail.epoll_targets.size(), 13u);
    EXPECT_EQ(fi.detail.epoll_targets[0].tfd, 16);
    EXPECT_EQ(fi.detail.epoll_targets[10].tfd, 1000);
    EXPECT_EQ(fi.detail.epoll_targets[10].events, 0x4000001cu);  // EPOLLONESHOT|EPOLLOUT|...
    EXPECT_EQ(fi.detail.epoll_targets[10].inode, 0x40eu);
    int sum = 0;
    for (const auto& t : fi.detail.epoll_targets) sum += t.tfd;
    EXPECT_EQ(sum, 1000 + (4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12 + 13 + 14 + 15 + 16) - 10);
}

TEST(ParseFdinfo, EpollLineWithoutInode) {
    // Kernels before 3.8 had no "pos:"/"ino:"/"sdev:" on epoll lines.
    FdInfo fi = must_parse("pos:\t0\nflags:\t02\ntfd:        5 events:       19 data:                5\n");
    ASSERT_EQ(fi.detail.epoll_targets.size(), 1u);
    EXPECT_EQ(fi.detail.epoll_targets[0].tfd, 5);
    EXPECT_EQ(fi.detail.epoll_targets[0].inode, 0u);
}

TEST(ParseFdinfo, MalformedEpollLinesAreDropped) {
    FdInfo fi = must_parse(
        "pos:\t0\nflags:\t02\n"
        "tfd:\n"
        "tfd: x events: 1\n"
        "tfd: 3 events: zz\n"
        "tfd: 3\n"
        "tfd: 99999999999 events: 1\n"
        "tfd: 3 events: 100000000\n");  // > 32 bits
    EXPECT_TRUE(fi.detail.epoll_targets.empty());
    EXPECT_FALSE(fi.has_detail);
}

TEST(ParseFdinfo, Inotify) {
    FdInfo fi = must_parse(sample("fdinfo/inotify.txt"));
    EXPECT_TRUE(fi.has_detail);
    ASSERT_EQ(fi.detail.inotify_watches.size(), 2u);
    EXPECT_EQ(fi.detail.inotify_watches[0].wd, 2);
    EXPECT_EQ(fi.detail.inotify_watches[0].inode, 0x13u);
    EXPECT_EQ(fi.detail.inotify_watches[0].sdev, 0xfe00000u);
    EXPECT_EQ(fi.detail.inotify_watches[0].mask, 0x100u);
    EXPECT_EQ(fi.detail.inotify_watches[1].wd, 1);
    EXPECT_EQ(fi.detail.inotify_watches[1].inode, 0x3c51au);
    EXPECT_EQ(fi.detail.inotify_watches[1].mask, 0xfffu);
}

TEST(ParseFdinfo, InotifyWdIsHex) {
    // 30 watches: the kernel prints wd 30 as "1e".
    FdInfo fi = must_parse(sample("fdinfo/inotify_many.txt"));
    EXPECT_EQ(fi.flags, 0u);
    ASSERT_EQ(fi.detail.inotify_watches.size(), 30u);
    EXPECT_EQ(fi.detail.inotify_watches[0].wd, 30);
    EXPECT_EQ(fi.detail.inotify_watches[0].inode, 0xa72124u);
    EXPECT_EQ(fi.detail.inotify_watches[0].mask, 0xau);
    EXPECT_EQ(fi.detail.inotify_watches[29].wd, 1);
    EXPECT_EQ(fi.detail.inotify_watches[29].mask, 0xfffu);
}

TEST(ParseFdinfo, InotifyWithoutFhandle) {
    // Kernels built without CONFIG_EXPORTFS stop after ignored_mask.
    FdInfo fi = must_parse("pos:\t0\nflags:\t00\ninotify wd:a ino:1 sdev:2 mask:3 ignored_mask:0\n");
    ASSERT_EQ(fi.detail.inotify_watches.size(), 1u);
    EXPECT_EQ(fi.detail.inotify_watches[0].wd, 10);
    EXPECT_EQ(fi.detail.inotify_watches[0].sdev, 2u);
    EXPECT_EQ(fi.detail.inotify_watches[0].mask, 3u);
}

TEST(ParseFdinfo, Signalfd) {
    // SIGUSR1 (10), SIGTERM (15) and SIGRTMIN+3 (37): bit n-1 each.
    FdInfo fi = must_parse(sample("fdinfo/signalfd.txt"));
    EXPECT_TRUE(fi.has_detail);
    EXPECT_EQ(fi.detail.signalfd_mask, (1ll << 9) | (1ll << 14) | (1ll << 36));
}

TEST(ParseFdinfo, SignalfdWideSigset) {
    // MIPS has 128 signals: 32 digits, the model keeps the low 64 bits.
    FdInfo fi = must_parse("pos:\t0\nflags:\t02\nsigmask:\t00000000000000010000000000004200\n");
    EXPECT_EQ(fi.detail.signalfd_mask, 0x4200);
    fi = must_parse("pos:\t0\nflags:\t02\nsigmask:\t8000000000000000\n");
    EXPECT_EQ(static_cast<std::uint64_t>(fi.detail.signalfd_mask), 0x8000000000000000ull);
    fi = must_parse("pos:\t0\nflags:\t02\nsigmask:\tzz000000000000000000000000004200\n");
    EXPECT_EQ(fi.detail.signalfd_mask, -1);
}

TEST(ParseFdinfo, Timerfd) {
    FdInfo fi = must_parse(sample("fdinfo/timerfd.txt"));
    EXPECT_TRUE(fi.has_detail);
    EXPECT_EQ(fi.detail.timerfd_clockid, 1);  // CLOCK_MONOTONIC
    EXPECT_EQ(fi.detail.pidfd_pid, -2);
}

TEST(ParseFdinfo, Pidfd) {
    FdInfo fi = must_parse(sample("fdinfo/pidfd.txt"));
    EXPECT_TRUE(fi.has_detail);
    EXPECT_EQ(fi.mnt_id, 4);
    EXPECT_EQ(fi.detail.pidfd_pid, 3591);
    fi = must_parse(sample("fdinfo/pidfd_exited.txt"));
    EXPECT_TRUE(fi.has_detail);
    EXPECT_EQ(fi.detail.pidfd_pid, -1);
}

TEST(ParseFdinfo, NegativePosition) {
    // /proc/PID/mem seeked into the kernel half prints a negative loff_t.
    FdInfo fi = must_parse("pos:\t-140737488355328\nflags:\t0100000\n");
    EXPECT_EQ(fi.pos, 0xffff800000000000ull);
    fi = must_parse("pos:\t18446744073709551615\nflags:\t0\n");
    EXPECT_EQ(fi.pos, UINT64_MAX);
}

TEST(ParseFdinfo, FirstGenericLineWins) {
    // A later "pos:" can only come from an owner-chosen name (io_uring
    // prints its registered files' names); it must not override.
    FdInfo fi = must_parse("pos:\t5\nflags:\t02\nmnt_id:\t3\nino:\t7\n    0: x\npos:\t99\nflags:\t0\nmnt_id:\t1\nino:\t1\n");
    EXPECT_EQ(fi.pos, 5u);
    EXPECT_EQ(fi.flags, 02u);
    EXPECT_EQ(fi.mnt_id, 3);
    EXPECT_EQ(fi.ino, 7u);
}

TEST(ParseFdinfo, OldKernelWithoutMntIdOrIno) {
    FdInfo fi = must_parse("pos:\t0\nflags:\t0100002\n");
    EXPECT_EQ(fi.mnt_id, -1);
    EXPECT_FALSE(fi.has_ino);
    EXPECT_EQ(fi.flags, 0100002u);
}

TEST(ParseFdinfo, Rejects) {
    EXPECT_FALSE(parse_fdinfo(""));
    EXPECT_FALSE(parse_fdinfo("garbage\n\n:::\n"));
    EXPECT_FALSE(parse_fdinfo("pos:\t0\n"));
    EXPECT_FALSE(parse_fdinfo("flags:\t02\n"));
    EXPECT_FALSE(parse_fdinfo("pos:\t0\nflags:\t08\n"));             // not octal
    EXPECT_FALSE(parse_fdinfo("pos:\t0\nflags:\t040000000000\n"));   // > 32 bits
    EXPECT_FALSE(parse_fdinfo("pos:\t+1\nflags:\t0\n"));
    EXPECT_FALSE(parse_fdinfo("pos:\t1x\nflags:\t0\n"));
    EXPECT_FALSE(parse_fdinfo("pos:\t0\0\nflags:\t0\n"sv));
    EXPECT_FALSE(parse_fdinfo("pos:\t18446744073709551616\nflags:\t0\n"));
}

TEST(ParseFdinfo, BadOptionalValuesAreIgnored) {
    FdInfo fi = must_parse("pos:\t0\nflags:\t0\nmnt_id:\tx\nino:\t-1\nclockid: 1.5\nPid:\t\neventfd-id: \n");
    EXPECT_EQ(fi.mnt_id, -1);
    EXPECT_FALSE(fi.has_ino);
    expect_no_detail(fi);
}

TEST(ParseFdinfo, NoTrailingNewlineAndCrlfJunk) {
    FdInfo fi = must_parse("pos:\t7\nflags:\t02\nmnt_id:\t9");
    EXPECT_EQ(fi.mnt_id, 9);
    fi = must_parse("pos:\t7\r\nflags:\t02\r\n");  // trim eats the '\r'
    EXPECT_EQ(fi.pos, 7u);
}

TEST(ParseFdinfo, EveryTruncationIsSafe) {
    for (const char* name : {"fdinfo/epoll.txt", "fdinfo/inotify.txt", "fdinfo/timerfd.txt", "fdinfo/eventfd.txt"}) {
        std::string full = sample(name);
        for (std::size_t n = 0; n <= full.size(); ++n) {
            auto fi = parse_fdinfo(std::string_view(full).substr(0, n));
            if (fi) {
                EXPECT_EQ(fi->pos, 0u);
            }
        }
    }
}

TEST(ParseFdinfo, UnixSocketQueuedFds) {
    auto f = fdscope::procfs::parse_fdinfo("pos:\t0\nflags:\t02000002\nmnt_id:\t10\nino:\t24789141\nscm_fds: 3\n");
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->has_detail);
    EXPECT_EQ(f->detail.scm_fds, 3);
    auto none = fdscope::procfs::parse_fdinfo("pos:\t0\nflags:\t02\nmnt_id:\t10\nino:\t5\nscm_fds: 0\n");
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_detail) << "an empty queue is no detail";
    EXPECT_EQ(none->detail.scm_fds, -1);
}

TEST(ParseFdinfo, IoUringCountsRegisteredSlotsNotTheTableSize) {
    // A sparse table of 8 slots with 3 files: the slot lines count, not
    // "UserFiles:"; a second "UserFiles:" (in a name) changes nothing.
    auto f = fdscope::procfs::parse_fdinfo(
        "pos:\t0\nflags:\t02000002\nmnt_id:\t17\nino:\t25502941\nSqMask:\t0x3\nUserFiles:\t8\n"
        "    0: /etc/hostname\n    1: /tmp/x\n    7: /tmp/a\\040b\nUserBufs:\t0\nUserFiles:\t999\n    2: /tmp/y\n");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->detail.io_uring_files, 3);
    EXPECT_TRUE(f->has_detail);
    auto none = fdscope::procfs::parse_fdinfo("pos:\t0\nflags:\t02\nmnt_id:\t17\nino:\t1\nUserFiles:\t0\nUserBufs:\t0\n");
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_detail);
    EXPECT_EQ(none->detail.io_uring_files, 0);
}
