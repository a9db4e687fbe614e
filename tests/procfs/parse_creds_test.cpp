#include "procfs/parse_creds.hpp"

#include <gtest/gtest.h>

#include <string>

using fdscope::procfs::Creds;
using fdscope::procfs::parse_creds;

namespace {

// A thread's status as Linux 6.x prints it (trimmed to the lines that matter and a few around them).
const char* kStatus =
    "Name:\tnginx\n"
    "Umask:\t0022\n"
    "State:\tS (sleeping)\n"
    "Tgid:\t812\n"
    "Ngid:\t0\n"
    "Pid:\t815\n"
    "PPid:\t1\n"
    "TracerPid:\t0\n"
    "Uid:\t33\t33\t0\t33\n"
    "Gid:\t33\t33\t33\t34\n"
    "FDSize:\t64\n"
    "Groups:\t33 1005 \n"
    "NStgid:\t812\n"
    "NSpid:\t815\n"
    "CapInh:\t0000000000000000\n"
    "CapPrm:\t0000000000000400\n"
    "CapEff:\t0000000000000400\n"
    "CapBnd:\t000001fffeffffff\n"
    "CapAmb:\t0000000000000400\n"
    "NoNewPrivs:\t1\n"
    "Seccomp:\t2\n"
    "Seccomp_filters:\t3\n"
    "Speculation_Store_Bypass:\tthread vulnerable\n";

}  // namespace

TEST(ParseCreds, EveryField) {
    auto c = parse_creds(kStatus);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->state, 'S');
    EXPECT_EQ(c->tgid, 812);
    EXPECT_EQ(c->pid, 815);
    EXPECT_EQ(c->ruid, 33u);
    EXPECT_EQ(c->euid, 33u);
    EXPECT_EQ(c->suid, 0u);
    EXPECT_EQ(c->fsuid, 33u);
    EXPECT_EQ(c->fsgid, 34u);
    EXPECT_EQ(c->groups, (std::vector<gid_t>{33, 1005}));
    EXPECT_EQ(c->cap_permitted, 0x400u);
    EXPECT_EQ(c->cap_effective, 0x400u);
    EXPECT_EQ(c->cap_ambient, 0x400u);
    EXPECT_EQ(c->cap_bounding, 0x1fffeffffffu);
    EXPECT_TRUE(c->no_new_privs);
    EXPECT_EQ(c->seccomp_mode, 2);
    EXPECT_EQ(c->seccomp_filters, 3u);
}

TEST(ParseCreds, NoGroupsAndOldKernelsWithoutTheNewerLines) {
    auto c = parse_creds("Tgid:\t5\nPid:\t5\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\n");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->groups.empty());
    EXPECT_EQ(c->cap_ambient, 0u);
    EXPECT_EQ(c->seccomp_filters, 0u);
    EXPECT_FALSE(c->no_new_privs);
}

TEST(ParseCreds, TruncatedOrMalformedIsRefused) {
    EXPECT_FALSE(parse_creds(""));
    EXPECT_FALSE(parse_creds("Tgid:\t5\nPid:\t5\nUid:\t0\t0\t0\t0\n"));      // no Gid
    EXPECT_FALSE(parse_creds("Tgid:\t5\nPid:\t5\nUid:\t0\t0\t0\nGid:\t0\t0\t0\t0\n"));  // three uids
    EXPECT_FALSE(parse_creds("Tgid:\t5\nPid:\t5\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapEff:\tzz\n"));
    EXPECT_FALSE(parse_creds("Tgid:\t5\nPid:\t5\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t1 x\n"));
}

TEST(ParseCreds, KeysMatchWhole) {
    // TracerPid and PPid must not be taken for Pid.
    auto c = parse_creds("Tgid:\t5\nTracerPid:\t9\nPPid:\t8\nPid:\t6\nUid:\t1\t2\t3\t4\nGid:\t5\t6\t7\t8\n");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->pid, 6);
    EXPECT_EQ(c->ruid, 1u);
    EXPECT_EQ(c->fsgid, 8u);
}

TEST(ParseCreds, SameCredsComparesWhatTheKernelChecks) {
    auto a = parse_creds(kStatus);
    ASSERT_TRUE(a);
    Creds b = *a;
    b.pid = 999;
    b.state = 'R';
    EXPECT_TRUE(a->same_creds(b));
    b.seccomp_filters = 4;
    EXPECT_FALSE(a->same_creds(b));
    b = *a;
    b.groups.push_back(7);
    EXPECT_FALSE(a->same_creds(b));
}
