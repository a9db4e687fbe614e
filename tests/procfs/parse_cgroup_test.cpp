#include "procfs/parse_cgroup.hpp"

#include <gtest/gtest.h>

using namespace fdscope::procfs;

TEST(ParseCgroup, HybridProcCgroup) {
    auto lines = parse_proc_cgroup(
        "12:devices:/user.slice\n11:cpu,cpuacct:/\n1:name=systemd:/user.slice/session-1.scope\n"
        "0::/user.slice/session-1.scope\n");
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[1].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
    EXPECT_EQ(cgroup_path_v1(lines, "devices"), "/user.slice");
    EXPECT_EQ(cgroup_path_v1(lines, "cpuacct"), "/");
    EXPECT_EQ(cgroup_path_v1(lines, "pids"), std::nullopt);
    EXPECT_EQ(cgroup_path_v2(lines), "/user.slice/session-1.scope");
}

TEST(ParseCgroup, PathsMayHoldColonsAndJunkIsSkipped) {
    auto lines = parse_proc_cgroup("0::/a:b\nnonsense\nx:y:z\n3:pids\n");
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].path, "/a:b");
}

TEST(ParseCgroup, Values) {
    EXPECT_EQ(parse_cgroup_value("max\n"), kCgroupMax);
    EXPECT_EQ(parse_cgroup_value("536870912\n"), 536870912u);
    EXPECT_EQ(parse_cgroup_value("-1\n"), std::nullopt);
    EXPECT_EQ(parse_cgroup_value(""), std::nullopt);
}

TEST(ParseCgroup, KeyedValues) {
    const char* events = "low 0\nhigh 1204\nmax 3\noom 0\noom_kill 0\n";
    EXPECT_EQ(parse_keyed_value(events, "high"), 1204u);
    EXPECT_EQ(parse_keyed_value(events, "max"), 3u);
    EXPECT_EQ(parse_keyed_value(events, "oom_group_kill"), std::nullopt);
    EXPECT_EQ(parse_keyed_value("high x\n", "high"), std::nullopt);
}

TEST(ParseCgroup, PressureSomeAvg10) {
    EXPECT_EQ(parse_pressure_some_avg10("some avg10=12.50 avg60=3.00 avg300=0.10 total=12345\n"
                                        "full avg10=1.00 avg60=0.00 avg300=0.00 total=99\n"),
              12.5);
    EXPECT_EQ(parse_pressure_some_avg10("full avg10=1.00\n"), std::nullopt);
    EXPECT_EQ(parse_pressure_some_avg10("some avg10=x\n"), std::nullopt);
    EXPECT_EQ(parse_pressure_some_avg10("some avg10=-1\n"), std::nullopt);
}

TEST(ParseCgroup, Lines) {
    EXPECT_EQ(non_empty_lines("a *:* rwm\n\nc 1:3 rwm  \n"), (std::vector<std::string>{"a *:* rwm", "c 1:3 rwm"}));
    EXPECT_TRUE(non_empty_lines("\n \n").empty());
}

TEST(ParseCgroup, MountPoints) {
    const char* mi =
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
        "39 31 0:36 /sub /elsewhere rw,relatime - cgroup cgroup rw,pids\n"
        "40 31 0:37 / /sys/fs/cgroup/sys\\040temd rw,relatime - cgroup cgroup rw,name=systemd\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
    EXPECT_EQ(cgroup_mount_point(mi, "devices"), "/sys/fs/cgroup/devices");
    EXPECT_EQ(cgroup_mount_point(mi, "cpu"), "/sys/fs/cgroup/cpu");
    EXPECT_EQ(cgroup_mount_point(mi, "name=systemd"), "/sys/fs/cgroup/sys temd");
    EXPECT_EQ(cgroup_mount_point(mi, ""), "/sys/fs/cgroup/unified");
    EXPECT_EQ(cgroup_mount_point(mi, "pids"), std::nullopt);  // only a sub-tree is mounted
    EXPECT_EQ(cgroup_mount_point(mi, "memory"), std::nullopt);
    EXPECT_EQ(cgroup_mount_point("garbage - \n - cgroup\n", "devices"), std::nullopt);
}
