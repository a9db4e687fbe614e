#include "procfs/parse_sysvipc_shm.hpp"

#include <string>

#include <gtest/gtest.h>

#include "testdata.hpp"

using fdscope::procfs::parse_sysvipc_shm;
using fdscope::procfs::testing::sample;

TEST(ParseSysvipcShm, RealSample) {
    auto segs = parse_sysvipc_shm(sample("sysvipc_shm/three.txt"));
    ASSERT_EQ(segs.size(), 3u);
    EXPECT_EQ(segs[0].key, 0x1234);
    EXPECT_EQ(segs[0].shmid, 3);
    EXPECT_EQ(segs[0].perms, 0640u);
    EXPECT_EQ(segs[0].size, 65536u);
    EXPECT_EQ(segs[0].cpid, 4028);
    EXPECT_EQ(segs[0].lpid, 4028);
    EXPECT_EQ(segs[0].nattch, 2u);
    EXPECT_EQ(segs[0].uid, 0u);

    // Created with key 0xdeadbeef; the kernel prints it as a signed int.
    EXPECT_EQ(segs[1].key, 0xdeadbeefll);
    EXPECT_EQ(segs[1].shmid, 4);
    EXPECT_EQ(segs[1].perms, 0600u);
    EXPECT_EQ(segs[1].size, 12288u);
    EXPECT_EQ(segs[1].lpid, 0);
    EXPECT_EQ(segs[1].nattch, 0u);

    EXPECT_EQ(segs[2].key, 0);  // IPC_PRIVATE
    EXPECT_EQ(segs[2].perms, 0666u);
}

TEST(ParseSysvipcShm, DestroyedButAttached) {
    // After IPC_RMID the key reads 0 and perms carry SHM_DEST (01000).
    auto segs = parse_sysvipc_shm(sample("sysvipc_shm/destroyed_attached.txt"));
    ASSERT_EQ(segs.size(), 1u);
    EXPECT_EQ(segs[0].key, 0);
    EXPECT_EQ(segs[0].perms, 01640u);
    EXPECT_EQ(segs[0].nattch, 2u);
}

TEST(ParseSysvipcShm, UnsignedKeySpellingAgrees) {
    auto segs = parse_sysvipc_shm("header\n3735928559 1 600 4096 1 0 0 1000 1000 1000 1000 0 0 0 0 0\n");
    ASSERT_EQ(segs.size(), 1u);
    EXPECT_EQ(segs[0].key, 0xdeadbeefll);
    EXPECT_EQ(segs[0].uid, 1000u);
}

TEST(ParseSysvipcShm, OldKernelWithoutRssAndSwap) {
    auto segs = parse_sysvipc_shm(
        "       key      shmid perms       size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime\n"
        "         0      32768   600     393216  2321  1234      2  1000  1000  1000  1000 1300000000          0 1300000000\n");
    ASSERT_EQ(segs.size(), 1u);
    EXPECT_EQ(segs[0].shmid, 32768);
    EXPECT_EQ(segs[0].size, 393216u);
    EXPECT_EQ(segs[0].lpid, 1234);
    EXPECT_EQ(segs[0].uid, 1000u);
}

TEST(ParseSysvipcShm, MalformedRowsAreSkipped) {
    auto segs = parse_sysvipc_shm(
        "header\n"
        "\n"
        "garbage\n"
        "1 2 800 4096 1 1 1 0\n"              // perms not octal
        "1 2 600 4096 1 1 1\n"                // truncated
        "4294967296 2 600 4096 1 1 1 0\n"     // key beyond 32 bits
        "-2147483649 2 600 4096 1 1 1 0\n"
        "1 2 600 -4096 1 1 1 0\n"
        "1 2 600 4096 1 1 1 4294967296\n"
        "-2147483648 7 600 4096 1 1 1 0");    // ok, no final newline
    ASSERT_EQ(segs.size(), 1u);
    EXPECT_EQ(segs[0].key, 0x80000000ll);
    EXPECT_EQ(segs[0].shmid, 7);
}

TEST(ParseSysvipcShm, HeaderOnlyOrEmpty) {
    EXPECT_TRUE(parse_sysvipc_shm("").empty());
    // The first line is always the header, even if it looks like a row.
    EXPECT_TRUE(parse_sysvipc_shm("1 2 600 4096 1 1 1 0\n").empty());
}
