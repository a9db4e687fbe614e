// The space and quota layers on hand-built mounts and quotas: blocks
// reserved for root, inodes exhausted, deleted files still open, EDQUOT.
#include <gtest/gtest.h>

#include <linux/capability.h>

#include "process_facts.hpp"
#include "report/why/layers.hpp"

namespace fdscope::report::why {
namespace {

using namespace testing;

Facts create_on(Op op, MountFacts m) {
    Facts f = user_process(op);
    f.operation.path = "/data/new";
    if (op == Op::Open) f.operation.open.write = f.operation.open.create = true;
    f.walk = absent_walk("/data/new", m.id);
    f.mounts = {std::move(m)};
    return f;
}

TEST(SpaceRules, ReservedBlocksRefuseAnOrdinaryUserWhileDfShowsSpace) {
    MountFacts m = ext4_mount(31, "/data");
    m.blocks_free = 5000;
    m.blocks_avail = 0;  // -m 50: all of the free blocks are reserved
    Facts f = create_on(Op::Mkdir, m);
    const auto c = find_layer(space_checks(f), Layer::Space);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->result, Result::Fail);
    EXPECT_EQ(c->error, ENOSPC);
    EXPECT_NE(c->explain.find("5,000 blocks of /data are still free"), std::string::npos) << c->explain;
    EXPECT_NE(c->explain.find("uid 0"), std::string::npos) << c->explain;
    EXPECT_NE(c->fix.find("tune2fs -m 1 /dev/loop0"), std::string::npos) << c->fix;
    // Root (the default resuid) may use them; so may CAP_SYS_RESOURCE, and the resgid's members.
    Facts root = f;
    root.subject.fsuid = 0;
    EXPECT_EQ(find_layer(space_checks(root), Layer::Space)->result, Result::Pass);
    Facts cap = f;
    cap.subject.cap_effective = 1ull << CAP_SYS_RESOURCE;
    EXPECT_EQ(find_layer(space_checks(cap), Layer::Space)->result, Result::Pass);
    Facts group = f;
    group.mounts[0].reserved_gid = 1001;
    EXPECT_EQ(find_layer(space_checks(group), Layer::Space)->result, Result::Pass);
}

TEST(SpaceRules, ACreateNeedsNoBlockButTheUserIsWarned) {
    MountFacts m = ext4_mount(31, "/data");
    m.blocks_avail = 0;
    const auto c = find_layer(space_checks(create_on(Op::Open, m)), Layer::Space);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->result, Result::Note) << "an empty file takes an inode, not a block";
}

TEST(SpaceRules, InodesExhausted) {
    MountFacts m = ext4_mount(31, "/data");
    m.files_free = m.files_avail = 0;
    for (const Op op : {Op::Open, Op::Mkdir, Op::Symlink, Op::BindUnix}) {
        const auto c = find_layer(space_checks(create_on(op, m)), Layer::Space);
        ASSERT_TRUE(c) << static_cast<int>(op);
        EXPECT_EQ(c->result, Result::Fail);
        EXPECT_EQ(c->error, ENOSPC);
        EXPECT_NE(c->explain.find("no free inodes"), std::string::npos) << c->explain;
    }
    // A hard link takes no inode.
    Facts link = user_process(Op::Link);
    link.walk2 = absent_walk("/data/new", 31);
    link.mounts = {m};
    EXPECT_EQ(find_layer(space_checks(link), Layer::Space)->result, Result::Pass);
    // tmpfs: the fix raises nr_inodes.
    m.fstype = "tmpfs";
    EXPECT_NE(find_layer(space_checks(create_on(Op::Open, m)), Layer::Space)->fix.find("nr_inodes=4096"),
              std::string::npos);
}

TEST(SpaceRules, DeletedButOpenFilesAreTheHolders) {
    MountFacts m = ext4_mount(31, "/data");
    m.blocks_free = m.blocks_avail = 0;
    Facts f = create_on(Op::Mkdir, m);
    DeletedOpen d;
    d.path = "/data/log.1 (deleted)";
    d.size = 40u << 20;
    d.holders = {holder(812, "rsyslogd", 7)};
    f.deleted_open = {d};
    const auto c = find_layer(space_checks(f), Layer::Space);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->error, ENOSPC);
    ASSERT_EQ(c->holders.size(), 1u);
    EXPECT_EQ(c->holders[0].pid, 812);
    EXPECT_NE(c->detail.find("du disagrees: 1 deleted files still open hold 40M"), std::string::npos) << c->detail;
    EXPECT_NE(c->fix.find(": > /proc/812/fd/7"), std::string::npos) << c->fix;
}

TEST(SpaceRules, NothingAllocatedWhenTheNameExists) {
    Facts f = create_on(Op::Open, ext4_mount(31, "/data"));
    f.walk.steps.back().inode = Inode{};
    f.walk.steps.back().lookup_error = 0;
    const auto checks = space_checks(f);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_EQ(checks[0].result, Result::Skip);
    f.operation.op = Op::Unlink;
    EXPECT_TRUE(space_checks(f).empty());
}

TEST(SpaceRules, UnreadSpaceIsUnknown) {
    MountFacts m = ext4_mount(31, "/data");
    m.space_known = false;
    EXPECT_EQ(find_layer(space_checks(create_on(Op::Mkdir, m)), Layer::Space)->result, Result::Unknown);
}

QuotaUsage user_quota(std::uint32_t uid) {
    QuotaUsage q;
    q.kind = QuotaUsage::Kind::User;
    q.id = uid;
    q.space_used = 900u << 20;
    q.space_soft = 800u << 20;
    q.space_hard = 1u << 30;
    q.inodes_used = 100;
    q.inodes_hard = 100;
    return q;
}

Facts with_quota(Op op, QuotaUsage q) {
    Facts f = create_on(op, ext4_mount(31, "/data"));
    f.quota.known = true;
    f.quota.mount_id = 31;
    f.quota.now = 1'000'000;
    f.quota.usage = {q};
    return f;
}

TEST(QuotaRules, InodeHardLimitIsEdquot) {
    const Facts f = with_quota(Op::Open, user_quota(1001));
    const auto c = find_layer(space_checks(f), Layer::Quota);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->result, Result::Fail);
    EXPECT_EQ(c->error, EDQUOT);
    EXPECT_NE(c->explain.find("user quota of user 1001 on /data"), std::string::npos) << c->explain;
    EXPECT_NE(c->fix.find("setquota -u 1001"), std::string::npos) << c->fix;
    EXPECT_EQ(verdict_from(space_checks(f), f).error, EDQUOT);
}

TEST(QuotaRules, SoftLimitRefusesOnlyAfterItsGrace) {
    QuotaUsage q = user_quota(1001);
    q.inodes_hard = 0;
    q.space_grace_end = 2'000'000;  // in the future
    Facts f = with_quota(Op::Mkdir, q);
    const auto c = find_layer(space_checks(f), Layer::Quota);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->result, Result::Note) << c->detail;
    f.quota.usage[0].space_grace_end = 999'999;
    EXPECT_EQ(find_layer(space_checks(f), Layer::Quota)->error, EDQUOT);
    f.subject.cap_effective = 1ull << CAP_SYS_RESOURCE;
    EXPECT_EQ(find_layer(space_checks(f), Layer::Quota)->result, Result::Pass) << "CAP_SYS_RESOURCE ignores quotas";
}

TEST(QuotaRules, OnlyTheChargedIdsCount) {
    const Facts other = with_quota(Op::Open, user_quota(2000));
    const auto c = find_layer(space_checks(other), Layer::Quota);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->result, Result::Pass);
    // A setgid directory charges its group.
    QuotaUsage g = user_quota(50);
    g.kind = QuotaUsage::Kind::Group;
    Facts f = with_quota(Op::Open, g);
    EXPECT_EQ(find_layer(space_checks(f), Layer::Quota)->result, Result::Pass);
    f.walk.parent->mode |= S_ISGID;
    f.walk.parent->gid = 50;
    EXPECT_EQ(find_layer(space_checks(f), Layer::Quota)->error, EDQUOT);
}

TEST(QuotaRules, XfsProjectQuotaIsEnospc) {
    QuotaUsage q = user_quota(7);
    q.kind = QuotaUsage::Kind::Project;
    Facts f = with_quota(Op::Open, q);
    f.mounts[0].fstype = "xfs";
    EXPECT_EQ(find_layer(space_checks(f), Layer::Quota)->error, ENOSPC);
}

TEST(QuotaRules, NoQuotaSupportSkips) {
    Facts f = create_on(Op::Open, ext4_mount(31, "/data"));
    f.quota.known = true;
    f.quota.supported = false;
    f.quota.reason = "kernel built without CONFIG_QUOTA";
    const auto c = find_layer(space_checks(f), Layer::Quota);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->result, Result::Skip);
    EXPECT_NE(c->detail.find("CONFIG_QUOTA"), std::string::npos);
}

}  // namespace
}  // namespace fdscope::report::why
