#include "procfs/parse_stat.hpp"

#include <string>

#include <gtest/gtest.h>

#include "testdata.hpp"

using fdscope::procfs::parse_stat;
using fdscope::procfs::testing::sample;
using namespace std::literals;

TEST(ParseStat, RealSample) {
    auto st = parse_stat(sample("stat/python3.txt"));
    ASSERT_TRUE(st);
    EXPECT_EQ(st->pid, 3549);
    EXPECT_EQ(st->comm, "python3");
    EXPECT_EQ(st->state, 'S');
    EXPECT_EQ(st->ppid, 3546);
    EXPECT_EQ(st->num_threads, 1u);
    EXPECT_EQ(st->start_time, 38816u);
    EXPECT_EQ(st->utime, 5u);
    EXPECT_EQ(st->stime, 3u);
    EXPECT_EQ(st->rss_pages, 3674u);
}

TEST(ParseStat, CommWithParenSpaceAndNewline) {
    // Captured after prctl(PR_SET_NAME, "a) (b\nc d)x").
    auto st = parse_stat(sample("stat/weird_comm.txt"));
    ASSERT_TRUE(st);
    EXPECT_EQ(st->pid, 4028);
    EXPECT_EQ(st->comm, "a) (b\nc d)x");
    EXPECT_EQ(st->state, 'R');
    EXPECT_EQ(st->ppid, 4022);
    EXPECT_EQ(st->num_threads, 1u);
    EXPECT_EQ(st->start_time, 44075u);
}

TEST(ParseStat, CommThatLooksLikeFields) {
    auto st = parse_stat("7 (x) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20) Z 99 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 4 0 12345 0\n");
    ASSERT_TRUE(st);
    EXPECT_EQ(st->comm, "x) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20");
    EXPECT_EQ(st->state, 'Z');
    EXPECT_EQ(st->ppid, 99);
    EXPECT_EQ(st->num_threads, 4u);
    EXPECT_EQ(st->start_time, 12345u);
}

TEST(ParseStat, EmptyComm) {
    auto st = parse_stat("2 () S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0");
    ASSERT_TRUE(st);
    EXPECT_EQ(st->comm, "");
    EXPECT_EQ(st->pid, 2);
    EXPECT_EQ(st->start_time, 5u);
}

TEST(ParseStat, HugeStartTime) {
    auto st = parse_stat("1 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 3 0 18446744073709551615 1");
    ASSERT_TRUE(st);
    EXPECT_EQ(st->start_time, 18446744073709551615ull);
    EXPECT_EQ(st->num_threads, 3u);
}

TEST(ParseStat, Rejects) {
    EXPECT_FALSE(parse_stat(""));
    EXPECT_FALSE(parse_stat("garbage"));
    EXPECT_FALSE(parse_stat("1 (init"));                  // no ')'
    EXPECT_FALSE(parse_stat(") 1 (init"));                // ')' before '('
    EXPECT_FALSE(parse_stat("x (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5"));  // pid
    EXPECT_FALSE(parse_stat("1 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0"));    // truncated before 22
    EXPECT_FALSE(parse_stat("1 (init) S"));
    EXPECT_FALSE(parse_stat("1 (init) SS 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5"));  // state
    EXPECT_FALSE(parse_stat("1 (init) S x 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5"));   // ppid
    EXPECT_FALSE(parse_stat("1 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 -1 0 5"));  // threads
    EXPECT_FALSE(parse_stat("99999999999 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5"));
    EXPECT_FALSE(parse_stat("1 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 184467440737095516160"));
    EXPECT_FALSE(parse_stat("1 (in\0it) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5\0"sv));  // NUL in field 22
}

TEST(ParseStat, EmbeddedNulInComm) {
    auto st = parse_stat("1 (a\0b) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5"sv);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->comm, "a\0b"sv);
}

TEST(ParseStat, EveryTruncationIsSafe) {
    std::string full = sample("stat/weird_comm.txt");
    std::size_t field22 = full.find(" 44075 ");
    ASSERT_NE(field22, std::string::npos);
    for (std::size_t n = 0; n < full.size(); ++n) {
        auto st = parse_stat(std::string_view(full).substr(0, n));
        if (!st) continue;
        // Only a cut after field 22 began can still look like a stat line.
        EXPECT_GE(n, field22 + 2) << n;
        EXPECT_EQ(st->comm, "a) (b\nc d)x");
    }
}
