#include "procfs/parse_mountinfo.hpp"

#include <string>

#include <gtest/gtest.h>

#include "testdata.hpp"

using fdscope::Mount;
using fdscope::procfs::parse_mountinfo;
using fdscope::procfs::testing::sample;
using namespace std::literals;

TEST(ParseMountinfo, RealHost) {
    auto m = parse_mountinfo(sample("mountinfo/host.txt"));
    ASSERT_EQ(m.size(), 19u);
    EXPECT_EQ(m[0].id, 22);
    EXPECT_EQ(m[0].parent, 27);
    EXPECT_EQ(m[0].major, 0u);
    EXPECT_EQ(m[0].minor, 21u);
    EXPECT_EQ(m[0].root, "/");
    EXPECT_EQ(m[0].mount_point, "/proc");
    EXPECT_EQ(m[0].options, "rw,relatime");
    EXPECT_EQ(m[0].fstype, "proc");
    EXPECT_EQ(m[0].source, "proc");

    const Mount& root = m[5];
    EXPECT_EQ(root.id, 27);
    EXPECT_EQ(root.parent, 1);
    EXPECT_EQ(root.major, 254u);
    EXPECT_EQ(root.minor, 0u);
    EXPECT_EQ(root.mount_point, "/");
    EXPECT_EQ(root.fstype, "ext4");
    EXPECT_EQ(root.source, "/dev/vda");
}

TEST(ParseMountinfo, EscapesAndOptionalFields) {
    auto m = parse_mountinfo(sample("mountinfo/weird.txt"));
    ASSERT_EQ(m.size(), 26u);
    EXPECT_EQ(m[19].id, 63);
    EXPECT_EQ(m[19].mount_point, "/tmp/cap/mnt/with space");
    EXPECT_EQ(m[19].source, "my src");
    EXPECT_EQ(m[20].mount_point, "/tmp/cap/mnt/tab\tx");
    EXPECT_EQ(m[20].source, "tmp2");
    EXPECT_EQ(m[21].mount_point, "/tmp/cap/mnt/nl\ny");
    EXPECT_EQ(m[22].mount_point, "/tmp/cap/mnt/back\\slash");
    // Bind mounts of a subdirectory: root is not "/", and optional fields.
    EXPECT_EQ(m[24].id, 68);
    EXPECT_EQ(m[24].root, "/sub dir");
    EXPECT_EQ(m[24].mount_point, "/tmp/cap/mnt/shared");
    EXPECT_EQ(m[24].fstype, "tmpfs");
    EXPECT_EQ(m[24].source, "none");
    EXPECT_EQ(m[25].id, 69);
    EXPECT_EQ(m[25].mount_point, "/tmp/cap/mnt/slave");
    EXPECT_EQ(m[25].options, "rw,relatime");
    EXPECT_EQ(m[25].fstype, "tmpfs");
    EXPECT_EQ(m[25].major, 0u);
    EXPECT_EQ(m[25].minor, 43u);
}

TEST(ParseMountinfo, EmptySource) {
    // mount -t tmpfs "" /x prints nothing between the two blanks.
    auto m = parse_mountinfo(sample("mountinfo/empty_source.txt"));
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].fstype, "tmpfs");
    EXPECT_EQ(m[0].source, "");
    EXPECT_EQ(m[0].mount_point, "/tmp/cap/mnt2");
}

TEST(ParseMountinfo, BadEscapesAreKept) {
    auto m = parse_mountinfo("1 0 8:1 / /a\\\\b\\0\\9999\\400\\04x\\ rw - ext4 /dev/sda1 rw\n");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].mount_point, "/a\\\\b\\0\\9999\\400\\04x\\");
    m = parse_mountinfo("1 0 8:1 / /a\\000b\\377 rw - ext4 x rw\n");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].mount_point, "/a\0b\xff"sv);
}

TEST(ParseMountinfo, MissingSuperOptionsIsFine) {
    auto m = parse_mountinfo("1 0 8:1 / / rw - ext4 /dev/sda1");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].source, "/dev/sda1");
}

TEST(ParseMountinfo, MalformedLinesAreSkipped) {
    auto m = parse_mountinfo(
        "\n"
        "garbage\n"
        "1 0 8:1 / / rw ext4 /dev/sda1 rw\n"        // no separator
        "1 0 8:1 / / rw shared:1 -\n"               // nothing after it
        "1 0 8:1 / / rw - \n"                       // empty fstype
        "x 0 8:1 / / rw - ext4 a rw\n"
        "1 0 81 / / rw - ext4 a rw\n"
        "1 0 8:x / / rw - ext4 a rw\n"
        "1 0 8:1 / /\n"
        "1 0 8:1  / rw - ext4 a rw\n"               // empty root
        "99999999999 0 8:1 / / rw - ext4 a rw\n"
        "1 0 4294967296:1 / / rw - ext4 a rw\n"
        "2 1 8:2 / /ok rw - ext4 a rw\n");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].id, 2);
    EXPECT_EQ(m[0].mount_point, "/ok");
    EXPECT_TRUE(parse_mountinfo("").empty());
}

TEST(ParseMountinfo, EveryTruncationIsSafe) {
    std::string full = sample("mountinfo/weird.txt");
    for (std::size_t n = 0; n <= full.size(); n += 3) {
        auto m = parse_mountinfo(std::string_view(full).substr(0, n));
        EXPECT_LE(m.size(), 26u);
    }
}
