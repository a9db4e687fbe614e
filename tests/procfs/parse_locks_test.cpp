#include "procfs/parse_locks.hpp"

#include <gtest/gtest.h>

using fdscope::procfs::parse_locks;

TEST(ParseLocks, HoldersNotWaitersWithHexDevices) {
    auto l = parse_locks(
        "1: POSIX  ADVISORY  WRITE 1234 08:01:1180263 0 EOF\n"
        "1: -> POSIX  ADVISORY  WRITE 1300 08:01:1180263 0 EOF\n"
        "2: FLOCK  ADVISORY  WRITE 5678 00:2a:12345 0 EOF\n"
        "3: OFDLCK ADVISORY  READ  -1 fd:10:99 0 100\n");
    ASSERT_EQ(l.size(), 3u);
    EXPECT_EQ(l[0].type, "POSIX");
    EXPECT_EQ(l[0].pid, 1234);
    EXPECT_EQ(l[0].major, 8u);
    EXPECT_EQ(l[0].minor, 1u);
    EXPECT_EQ(l[0].inode, 1180263u);
    EXPECT_EQ(l[1].type, "FLOCK");
    EXPECT_EQ(l[1].minor, 0x2au);
    EXPECT_EQ(l[2].pid, -1);
    EXPECT_EQ(l[2].major, 0xfdu);
    EXPECT_EQ(l[2].minor, 0x10u);
    EXPECT_EQ(l[2].access, "READ");
}

TEST(ParseLocks, MalformedLinesAreSkipped) {
    EXPECT_TRUE(parse_locks("").empty());
    EXPECT_TRUE(parse_locks("garbage\n1:\n1: FLOCK\n1: FLOCK ADVISORY WRITE x 00:01:2\n").empty());
    EXPECT_TRUE(parse_locks("1: FLOCK ADVISORY WRITE 5 0001:2\n1: FLOCK ADVISORY WRITE 5 zz:01:2\n").empty());
    EXPECT_EQ(parse_locks("1: FLOCK ADVISORY WRITE 5 00:01:2").size(), 1u) << "no final newline";
}
