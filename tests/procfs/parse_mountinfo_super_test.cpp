// parse_mountinfo_with_super: the same lines as parse_mountinfo, with the
// superblock's options kept.
#include <gtest/gtest.h>

#include "procfs/parse_mountinfo.hpp"
#include "testdata.hpp"

using fdscope::procfs::parse_mountinfo;
using fdscope::procfs::parse_mountinfo_with_super;
using fdscope::procfs::testing::sample;

TEST(ParseMountinfoWithSuper, KeepsTheSuperOptions) {
    auto m = parse_mountinfo_with_super(
        "36 35 98:0 /mnt1 /mnt2 ro,noatime,nosymfollow master:1 - ext3 /dev/root rw,errors=continue\n"
        "37 35 0:40 / /t rw,nosuid,nodev,noexec,relatime,idmapped - tmpfs tmpfs ro,size=64k\n");
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0].mount.id, 36);
    EXPECT_EQ(m[0].mount.options, "ro,noatime,nosymfollow");
    EXPECT_EQ(m[0].super_options, "rw,errors=continue");
    EXPECT_EQ(m[1].mount.fstype, "tmpfs");
    EXPECT_EQ(m[1].super_options, "ro,size=64k");
}

TEST(ParseMountinfoWithSuper, SameMountsAsTheShortForm) {
    for (const char* name : {"mountinfo/host.txt", "mountinfo/weird.txt", "mountinfo/empty_source.txt"}) {
        std::string text = sample(name);
        auto shorter = parse_mountinfo(text);
        auto longer = parse_mountinfo_with_super(text);
        ASSERT_EQ(shorter.size(), longer.size()) << name;
        for (std::size_t i = 0; i < shorter.size(); ++i) {
            EXPECT_EQ(shorter[i].id, longer[i].mount.id);
            EXPECT_EQ(shorter[i].mount_point, longer[i].mount.mount_point);
            EXPECT_EQ(shorter[i].source, longer[i].mount.source);
            EXPECT_FALSE(longer[i].super_options.empty()) << name << " line " << i;
        }
    }
}

TEST(ParseMountinfoWithSuper, MissingSuperOptionsIsEmpty) {
    auto m = parse_mountinfo_with_super("1 0 8:1 / / rw - ext4 /dev/sda1");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].super_options, "");
}
