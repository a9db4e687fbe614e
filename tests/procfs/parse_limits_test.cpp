#include "procfs/parse_limits.hpp"

#include <gtest/gtest.h>

#include "testdata.hpp"

using fdscope::kUnlimited;
using fdscope::procfs::parse_nofile_limit;
using fdscope::procfs::testing::sample;

TEST(ParseLimits, RealSample) {
    auto l = parse_nofile_limit(sample("limits/python3.txt"));
    ASSERT_TRUE(l);
    EXPECT_TRUE(l->known);
    EXPECT_EQ(l->soft, 20000u);
    EXPECT_EQ(l->hard, 20000u);
}

TEST(ParseLimits, Unlimited) {
    auto l = parse_nofile_limit(
        "Limit                     Soft Limit           Hard Limit           Units     \n"
        "Max open files            1024                 unlimited            files     \n");
    ASSERT_TRUE(l);
    EXPECT_TRUE(l->known);
    EXPECT_EQ(l->soft, 1024u);
    EXPECT_EQ(l->hard, kUnlimited);
}

TEST(ParseLimits, HugeAndLastLine) {
    auto l = parse_nofile_limit("Max open files 18446744073709551615 18446744073709551615");
    ASSERT_TRUE(l);
    EXPECT_EQ(l->soft, 18446744073709551615ull);
}

TEST(ParseLimits, Rejects) {
    EXPECT_FALSE(parse_nofile_limit(""));
    EXPECT_FALSE(parse_nofile_limit("Max open filesystems      1 1 files\n"));
    EXPECT_FALSE(parse_nofile_limit("Max processes             96365                96365                processes \n"));
    EXPECT_FALSE(parse_nofile_limit("Max open files            1024\n"));
    EXPECT_FALSE(parse_nofile_limit("Max open files            -1 5 files\n"));
    EXPECT_FALSE(parse_nofile_limit("Max open files            18446744073709551616 5 files\n"));
    EXPECT_FALSE(parse_nofile_limit("Max open files            unlimitedx 5 files\n"));
    EXPECT_FALSE(parse_nofile_limit("Max open files"));
}

TEST(ParseLimits, EveryTruncationIsSafe) {
    std::string full = sample("limits/python3.txt");
    for (std::size_t n = 0; n <= full.size(); ++n) {
        auto l = parse_nofile_limit(std::string_view(full).substr(0, n));
        if (l) {
            EXPECT_EQ(l->soft, 20000u) << n;  // a cut can only shorten the hard value
        }
    }
}
