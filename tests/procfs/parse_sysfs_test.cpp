#include "procfs/parse_sysfs.hpp"

#include <string>

#include <gtest/gtest.h>

#include "testdata.hpp"

using fdscope::procfs::parse_file_nr;
using fdscope::procfs::parse_pid_name;
using fdscope::procfs::parse_u64;
using fdscope::procfs::testing::sample;
using namespace std::literals;

TEST(ParseSysfs, RealFiles) {
    auto nr = parse_file_nr(sample("sysfs/file-nr.txt"));
    ASSERT_TRUE(nr);
    EXPECT_EQ(nr->allocated, 413u);
    EXPECT_EQ(nr->free, 0u);
    EXPECT_EQ(nr->max, 2466193u);
    EXPECT_EQ(parse_u64(sample("sysfs/file-max.txt")), 2466193u);
    EXPECT_EQ(parse_u64(sample("sysfs/nr_open.txt")), 1048576u);
}

TEST(ParseSysfs, FileNrEdges) {
    auto nr = parse_file_nr("305\t0\t9223372036854775807\n");
    ASSERT_TRUE(nr);
    EXPECT_EQ(nr->max, 9223372036854775807ull);
    EXPECT_FALSE(parse_file_nr(""));
    EXPECT_FALSE(parse_file_nr("305\t0\n"));
    EXPECT_FALSE(parse_file_nr("305\t0\t1\t4\n"));
    EXPECT_FALSE(parse_file_nr("305\t-1\t1\n"));
    EXPECT_FALSE(parse_file_nr("305\t0\t18446744073709551616\n"));
    EXPECT_FALSE(parse_file_nr("a\tb\tc"));
}

TEST(ParseSysfs, U64) {
    EXPECT_EQ(parse_u64("  42\n"), 42u);
    EXPECT_EQ(parse_u64("18446744073709551615"), UINT64_MAX);
    EXPECT_EQ(parse_u64("0"), 0u);
    EXPECT_FALSE(parse_u64(""));
    EXPECT_FALSE(parse_u64(" \n"));
    EXPECT_FALSE(parse_u64("18446744073709551616"));
    EXPECT_FALSE(parse_u64("-1"));
    EXPECT_FALSE(parse_u64("+1"));
    EXPECT_FALSE(parse_u64("1 2"));
    EXPECT_FALSE(parse_u64("0x10"));
    EXPECT_FALSE(parse_u64("1\0"sv));
}

TEST(ParseSysfs, PidName) {
    EXPECT_EQ(parse_pid_name("1"), 1);
    EXPECT_EQ(parse_pid_name("4194304"), 4194304);
    EXPECT_EQ(parse_pid_name("2147483647"), 2147483647);
    EXPECT_FALSE(parse_pid_name("2147483648"));
    EXPECT_FALSE(parse_pid_name("99999999999999999999999"));
    EXPECT_FALSE(parse_pid_name("0"));
    EXPECT_FALSE(parse_pid_name("007"));
    EXPECT_FALSE(parse_pid_name(""));
    EXPECT_FALSE(parse_pid_name("self"));
    EXPECT_FALSE(parse_pid_name("thread-self"));
    EXPECT_FALSE(parse_pid_name("acpi"));
    EXPECT_FALSE(parse_pid_name("12a"));
    EXPECT_FALSE(parse_pid_name("+12"));
    EXPECT_FALSE(parse_pid_name("-12"));
    EXPECT_FALSE(parse_pid_name(" 12"));
    EXPECT_FALSE(parse_pid_name("12\0"sv));
}
