#include "procfs/parse_status.hpp"

#include <string>

#include <gtest/gtest.h>

#include "testdata.hpp"

using fdscope::procfs::parse_status;
using fdscope::procfs::testing::sample;
using namespace std::literals;

TEST(ParseStatus, RealSample) {
    auto st = parse_status(sample("status/python3.txt"));
    ASSERT_TRUE(st);
    EXPECT_EQ(st->tgid, 3549);
    EXPECT_EQ(st->pid, 3549);
    EXPECT_EQ(st->ppid, 3546);
    EXPECT_TRUE(st->has_uid);
    EXPECT_EQ(st->uid_real, 0u);
    EXPECT_EQ(st->uid_effective, 0u);
    EXPECT_EQ(st->threads, 1u);
}

TEST(ParseStatus, WeirdNameDoesNotConfuse) {
    // The kernel escapes the name ("a) (b\\nc d)x"), so it stays one line.
    auto st = parse_status(sample("status/weird_comm.txt"));
    ASSERT_TRUE(st);
    EXPECT_EQ(st->pid, 4028);
    EXPECT_EQ(st->ppid, 4022);
}

TEST(ParseStatus, ThreadWithDistinctUids) {
    auto st = parse_status(
        "Name:\tworker\nTgid:\t100\nNgid:\t0\nPid:\t105\nPPid:\t1\nTracerPid:\t77\n"
        "Uid:\t1000\t0\t1000\t1000\nGid:\t5\t5\t5\t5\nNSpid:\t105\t3\nThreads:\t12\n");
    ASSERT_TRUE(st);
    EXPECT_EQ(st->tgid, 100);
    EXPECT_EQ(st->pid, 105);  // not TracerPid or NSpid
    EXPECT_EQ(st->ppid, 1);
    EXPECT_TRUE(st->has_uid);
    EXPECT_EQ(st->uid_real, 1000u);
    EXPECT_EQ(st->uid_effective, 0u);
    EXPECT_EQ(st->threads, 12u);
}

TEST(ParseStatus, HugeUid) {
    auto st = parse_status("Tgid:\t1\nPid:\t1\nUid:\t4294967295\t4294967294\t0\t0\n");
    ASSERT_TRUE(st);
    EXPECT_EQ(st->uid_real, 4294967295u);
    EXPECT_EQ(st->uid_effective, 4294967294u);
}

TEST(ParseStatus, MissingOrBadUid) {
    auto st = parse_status("Tgid:\t1\nPid:\t1\nUid:\t12\n");
    ASSERT_TRUE(st);
    EXPECT_FALSE(st->has_uid);
    st = parse_status("Tgid:\t1\nPid:\t1\nUid:\t4294967296\t0\n");
    ASSERT_TRUE(st);
    EXPECT_FALSE(st->has_uid);
    st = parse_status("Tgid:\t1\nPid:\t1\n");
    ASSERT_TRUE(st);
    EXPECT_FALSE(st->has_uid);
    EXPECT_EQ(st->threads, 0u);
}

TEST(ParseStatus, Rejects) {
    EXPECT_FALSE(parse_status(""));
    EXPECT_FALSE(parse_status("\n\n\n"));
    EXPECT_FALSE(parse_status("Name:\tx\nPid:\t1\n"));          // no Tgid
    EXPECT_FALSE(parse_status("Tgid:\t1\nPPid:\t0\n"));         // no Pid
    EXPECT_FALSE(parse_status("Tgid:\t1\nPid:\tabc\n"));
    EXPECT_FALSE(parse_status("Tgid:\t1\nPid:\t99999999999\n"));
    EXPECT_FALSE(parse_status("Tgid:\t1\nPid:\t1\0\n"sv));
}

TEST(ParseStatus, TruncatedLastLine) {
    auto st = parse_status("Tgid:\t9\nPid:\t9\nThreads:\t3");
    ASSERT_TRUE(st);
    EXPECT_EQ(st->threads, 3u);
}

TEST(ParseStatus, EveryTruncationIsSafe) {
    std::string full = sample("status/python3.txt");
    for (std::size_t n = 0; n <= full.size(); ++n) {
        auto st = parse_status(std::string_view(full).substr(0, n));
        if (st) {
            EXPECT_EQ(st->tgid, 3549) << n;
        }
    }
}
