#include <gtest/gtest.h>

#include "procfs/parse_cgroup.hpp"

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

