#include <gtest/gtest.h>

#include "procfs/parse_cgroup.hpp"
#include "procfs/parse_sysctl.hpp"

using namespace fdscope::procfs;

TEST(ParseCgroup, TheUnifiedPathWins) {
    EXPECT_EQ(parse_cgroup_path("12:pids:/user.slice\n1:name=systemd:/user.slice/x\n0::/user.slice/x.scope\n"),
              "/user.slice/x.scope");
}

TEST(ParseCgroup, TheFirstV1PathOtherwise) {
    EXPECT_EQ(parse_cgroup_path("12:pids:/a\n11:devices:/b\n"), "/a");
}

TEST(ParseCgroup, APathWithColons) { EXPECT_EQ(parse_cgroup_path("0::/a:b\n"), "/a:b"); }

TEST(ParseCgroup, NothingWellFormed) {
    EXPECT_FALSE(parse_cgroup_path(""));
    EXPECT_FALSE(parse_cgroup_path("garbage\nx:y:/z\n"));
}

TEST(ParseSysctl, OneNumber) {
    EXPECT_EQ(parse_sysctl_int("1\n"), 1);
    EXPECT_EQ(parse_sysctl_int("9223372036854775807\n"), INT64_MAX);
    EXPECT_FALSE(parse_sysctl_int("one\n"));
    EXPECT_FALSE(parse_sysctl_int(""));
}

TEST(ParseSysctl, FileNr) {
    auto nr = parse_file_nr("2912\t0\t9223372036854775807\n");
    ASSERT_TRUE(nr);
    EXPECT_EQ(nr->allocated, 2912u);
    EXPECT_EQ(nr->unused, 0u);
    EXPECT_EQ(nr->max, 9223372036854775807u);
    EXPECT_FALSE(parse_file_nr("2912\t0\n"));
    EXPECT_FALSE(parse_file_nr("2912\t0\t1\t4\n"));
}
