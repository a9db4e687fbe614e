// The cgroup layer: v1 devices.list entries and wildcards for a device
// node, a BPF device program, and the I/O notes for read and write.
#include <gtest/gtest.h>

#include <sys/sysmacros.h>

#include "process_facts.hpp"
#include "report/why/cgroup_rules.hpp"
#include "report/why/layers.hpp"

namespace fdscope::report::why {
namespace {

using namespace testing;

// open /dev/null (c 1:3) for write, in a v1 devices cgroup with `list`.
Facts open_null(std::vector<std::string> list) {
    Facts f = user_process(Op::Open);
    f.operation.path = "/dev/null";
    f.operation.open.write = true;
    f.walk.path = "/dev/null";
    f.walk.complete = true;
    Step last;
    last.path = "/dev/null";
    last.name = "null";
    last.last = true;
    Inode node;
    node.mode = S_IFCHR | 0666;
    node.rdev = makedev(1, 3);
    last.inode = node;
    f.walk.steps = {last};
    f.cgroup.known = true;
    f.cgroup.path = "/jail";
    f.cgroup.devices_v1 = true;
    f.cgroup.devices_list = std::move(list);
    f.cgroup.devices_path = "/jail";
    f.cgroup.devices_dir = "/sys/fs/cgroup/devices/jail";
    return f;
}

TEST(CgroupRules, ParsesDevicesListLines) {
    const auto all = parse_device_rule("a *:* rwm");
    ASSERT_TRUE(all);
    EXPECT_EQ(all->type, 'a');
    EXPECT_FALSE(all->major || all->minor);
    EXPECT_TRUE(all->read && all->write && all->mknod);
    const auto one = parse_device_rule("c 1:3 rw\n");
    ASSERT_TRUE(one);
    EXPECT_EQ(one->major, 1u);
    EXPECT_EQ(one->minor, 3u);
    EXPECT_FALSE(one->mknod);
    const auto block = parse_device_rule("b 8:* r");
    ASSERT_TRUE(block);
    EXPECT_FALSE(block->minor);
    for (const char* bad : {"", "c", "c 1:3", "x 1:3 rw", "c 1-3 rw", "c 1:3 rwx", "c a:3 r", "cc 1:3 r"})
        EXPECT_FALSE(parse_device_rule(bad)) << bad;
}

TEST(CgroupRules, DevicesListWithoutTheNodeRefusesIt) {
    const Facts f = open_null({"c 1:5 rwm", "c 1:3 r", "b *:* rwm"});
    const auto checks = cgroup_checks(f);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_EQ(checks[0].layer, Layer::Cgroup);
    EXPECT_EQ(checks[0].result, Result::Fail);
    EXPECT_EQ(checks[0].error, EPERM);
    EXPECT_NE(checks[0].detail.find("granting w c 1:3"), std::string::npos) << checks[0].detail;
    EXPECT_NE(checks[0].fix.find("echo 'c 1:3 w' > /sys/fs/cgroup/devices/jail/devices.allow"), std::string::npos)
        << checks[0].fix;
    EXPECT_TRUE(cgroup_checks(open_null({})).front().result == Result::Fail) << "an empty list denies everything";
}

TEST(CgroupRules, WildcardsAllowIt) {
    for (const auto& list : std::vector<std::vector<std::string>>{{"a *:* rwm"}, {"c *:* w"}, {"c 1:* rw"}, {"c 1:3 rw"}}) {
        const auto checks = cgroup_checks(open_null(list));
        ASSERT_EQ(checks.size(), 1u);
        EXPECT_EQ(checks[0].result, Result::Pass) << list[0];
    }
    // A read-only open needs r only.
    Facts ro = open_null({"c 1:3 r"});
    ro.operation.open.write = false;
    EXPECT_EQ(cgroup_checks(ro).front().result, Result::Pass);
}

TEST(CgroupRules, ADeviceProgramCannotBeEvaluated) {
    Facts f = open_null({});
    f.cgroup.devices_v1 = false;
    f.cgroup.device_bpf = true;
    const auto checks = cgroup_checks(f);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_EQ(checks[0].result, Result::Unknown);
    EXPECT_NE(checks[0].explain.find("a BPF device program is attached; cannot be evaluated"), std::string::npos);
    f.cgroup.device_bpf = false;
    EXPECT_EQ(cgroup_checks(f).front().result, Result::Pass) << "no device controller";
}

TEST(CgroupRules, OnlyDeviceNodesAreChecked) {
    Facts f = open_null({});
    f.walk.steps.back().inode->mode = S_IFREG | 0644;
    EXPECT_TRUE(cgroup_checks(f).empty());
}

TEST(CgroupRules, IoNotesForReadsAndWrites) {
    Facts f = user_process(Op::Write);
    f.cgroup.known = true;
    f.cgroup.path = "/system.slice/app.service";
    f.cgroup.memory_high = 512u << 20;
    f.cgroup.memory_high_events = 1204;
    f.cgroup.io_max = "8:0 rbps=max wbps=1048576 riops=max wiops=max";
    f.cgroup.io_pressure_avg10 = 12.5;
    const auto notes = cgroup_io_notes(f);
    ASSERT_EQ(notes.size(), 3u);
    for (const auto& n : notes) EXPECT_EQ(n.result, Result::Note);
    EXPECT_NE(notes[0].explain.find("writes block in reclaim: memory.high 512M reached 1,204 times"), std::string::npos)
        << notes[0].explain;
    EXPECT_NE(notes[1].detail.find("wbps=1048576"), std::string::npos);
    EXPECT_NE(notes[2].explain.find("12.50%"), std::string::npos);
    EXPECT_EQ(verdict_from(notes, f).outcome, Outcome::Allowed);
}

}  // namespace
}  // namespace fdscope::report::why
