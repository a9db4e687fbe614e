// open(2) on hand-built facts, and the orders of precedence that depend on
// the flags: a per-mount read-only bind mount refuses O_WRONLY after the
// permission bits but O_TRUNC before them, a read-only superblock before
// them, immutable before the mode.
#include <gtest/gtest.h>

#include "report/why/facts_builder.hpp"

namespace fdscope::report::why {
namespace {

using namespace testing;

// /srv/data/report.csv on mount 2, a bind mount of /data; the file is root's 0644.
Scenario on_bind_mount(OpenFlags flags, bool per_mount_ro, bool super_ro) {
    Scenario s;
    MountFacts m = mount(2, "/srv/data");
    m.root = "/data";
    m.ro = per_mount_ro;
    m.super_ro = super_ro;
    if (per_mount_ro) m.options = "ro,relatime";
    s.add_mount(m);
    s.open("/srv/data/report.csv", flags)
        .walk(walk_of("/srv/data/report.csv", {dir(0755), dir(0755), dir(0755, 0, 0, 2), file(0644, 0, 0, 2)}));
    return s;
}

TEST(OpenRules, PerMountReadOnlyComesAfterThePermissionBitsForPlainWrite) {
    const Verdict v = on_bind_mount(write_only(), true, false).verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EACCES);
    EXPECT_EQ(first_block(v).layer, Layer::Mode);
    ASSERT_EQ(v.blocking.size(), 2u);
    EXPECT_EQ(block(v, 1).layer, Layer::Mount);
    EXPECT_EQ(block(v, 1).error, EROFS);
    EXPECT_EQ(block(v, 1).fix, "mount -o remount,bind,rw /srv/data");
}

TEST(OpenRules, OTruncMeetsTheReadOnlyMountBeforeThePermissionBits) {
    OpenFlags f = write_only();
    f.trunc = true;
    const Verdict v = on_bind_mount(f, true, false).verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EROFS);
    EXPECT_EQ(first_block(v).layer, Layer::Mount);
    EXPECT_EQ(block(v, 1).layer, Layer::Mode);
}

TEST(OpenRules, AReadOnlySuperblockComesBeforeThePermissionBits) {
    const Verdict v = on_bind_mount(write_only(), false, true).verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EROFS);
    EXPECT_EQ(first_block(v).layer, Layer::Mount);
    EXPECT_EQ(first_block(v).fix, "mount -o remount,rw /srv/data");
}

TEST(OpenRules, TheOwnerWritesUnlessTheMountIsReadOnly) {
    Scenario s = on_bind_mount(write_only(), false, false);
    s.as_root();
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    Scenario ro = on_bind_mount(write_only(), true, false);
    ro.as_root();
    const Verdict v = ro.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EROFS);
    // Reading needs no write access on the mount.
    Scenario r = on_bind_mount(read_only(), true, true);
    EXPECT_EQ(r.verdict().outcome, Outcome::Allowed);
}

TEST(OpenRules, AMountOnlyInTheSubjectsNamespaceIsFixedThroughNsenter) {
    Scenario s = on_bind_mount(write_only(), true, false);
    s.as_root();
    s.facts.subject.pid = 4242;
    s.facts.subject.same_mnt_ns = false;
    EXPECT_EQ(first_block(s.verdict()).fix, "nsenter -t 4242 -m mount -o remount,bind,rw /srv/data");
}

TEST(OpenRules, ImmutableComesBeforeTheModeAndStopsRoot) {
    Scenario s;
    Inode f = file(0444);
    f.immutable = true;
    s.open("/f", write_only()).walk(walk_of("/f", {dir(0755), f}));
    const Verdict user = s.verdict();
    ASSERT_EQ(user.outcome, Outcome::Denied);
    EXPECT_EQ(user.error, EPERM);
    EXPECT_EQ(first_block(user).layer, Layer::Attribute);
    EXPECT_EQ(block(user, 1).layer, Layer::Mode);
    s.as_root();
    const Verdict root = s.verdict();
    ASSERT_EQ(root.outcome, Outcome::Denied);
    EXPECT_EQ(root.error, EPERM);
    EXPECT_EQ(root.blocking.size(), 1u);
    EXPECT_EQ(first_block(root).fix, "chattr -i /f (needs CAP_LINUX_IMMUTABLE)");
}

TEST(OpenRules, AppendOnlyNeedsOAppendAndNoTruncate) {
    Scenario s;
    s.as_root();
    Inode f = file(0644);
    f.append_only = true;
    s.open("/log", write_only()).walk(walk_of("/log", {dir(0755), f}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EPERM);
    EXPECT_EQ(first_block(v).layer, Layer::Attribute);
    s.facts.operation.open.append = true;
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    s.facts.operation.open.trunc = true;
    EXPECT_EQ(s.verdict().error, EPERM);
}

TEST(OpenRules, NoatimeNeedsTheOwnerOrCapFowner) {
    Scenario s;
    OpenFlags f;
    f.noatime = true;
    s.open("/f", f).walk(walk_of("/f", {dir(0755), file(0644)}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EPERM);
    EXPECT_EQ(first_block(v).layer, Layer::Capability);
    s.as_root();
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
}

TEST(OpenRules, WritingARunningProgramIsTextBusy) {
    Scenario s;
    s.as_root().open("/usr/bin/tool", write_only()).walk(walk_of("/usr/bin/tool", {dir(0755), dir(0755), dir(0755), file(0755)}));
    s.facts.executing = {Holder{977, "tool", -1, "executing"}};
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, ETXTBSY);
    const Check& c = first_block(v);
    EXPECT_EQ(c.layer, Layer::Busy);
    ASSERT_EQ(c.holders.size(), 1u);
    EXPECT_EQ(c.holders[0].pid, 977);
    EXPECT_NE(c.detail.find("pid 977 (tool)"), std::string::npos);
    // Reading it is fine.
    s.facts.operation.open = read_only();
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
}

TEST(OpenRules, ADeviceNodeOnANodevMountIsRefused) {
    Scenario s;
    s.as_root();
    MountFacts m = mount(3, "/mnt", "tmpfs");
    m.nodev = true;
    s.add_mount(m);
    s.open("/mnt/null", read_only()).walk(walk_of("/mnt/null", {dir(0755), dir(0755, 0, 0, 3), node(S_IFCHR | 0666, 0, 0, 3)}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EACCES);
    EXPECT_EQ(first_block(v).layer, Layer::Mount);
}

// O_CREAT of /tmp/shared, which exists and belongs to bob, in root's 1777 /tmp.
Scenario create_in_tmp(Inode existing) {
    Scenario s;
    s.as_root();
    OpenFlags f = write_only();
    f.create = true;
    s.open("/tmp/shared", f).walk(walk_of("/tmp/shared", {dir(0755), dir(01777), existing}));
    return s;
}

TEST(OpenRules, ProtectedRegularRefusesRootCreatingOverAnotherUsersFile) {
    Scenario s = create_in_tmp(file(0666, 1002, 1002));
    s.facts.sysctls.protected_regular = 1;
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EACCES);
    EXPECT_EQ(first_block(v).layer, Layer::Protected);
    EXPECT_NE(first_block(v).detail.find("fs.protected_regular=1"), std::string::npos);
    s.facts.sysctls.protected_regular = 0;
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    // Without O_CREAT the rule does not apply.
    s.facts.sysctls.protected_regular = 2;
    s.facts.operation.open.create = false;
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
}

TEST(OpenRules, ProtectedFifosAndTheGroupWritableCaseOfValueTwo) {
    Scenario s = create_in_tmp(node(S_IFIFO | 0666, 1002, 1002));
    s.facts.sysctls.protected_fifos = 1;
    EXPECT_EQ(s.verdict().error, EACCES);
    s.facts.sysctls.protected_fifos = 0;
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    // A sticky group-writable directory: only the value 2 refuses.
    s.facts.walk.steps[2].dir->mode = S_IFDIR | 01770;
    s.facts.sysctls.protected_fifos = 1;
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    s.facts.sysctls.protected_fifos = 2;
    EXPECT_EQ(s.verdict().error, EACCES);
}

TEST(OpenRules, OExclOnAnExistingFile) {
    Scenario s = create_in_tmp(file(0666, 0, 0));
    s.facts.operation.open.excl = true;
    const Verdict v = s.verdict();
    EXPECT_EQ(v.error, EEXIST);
    EXPECT_EQ(first_block(v).layer, Layer::Path);
}

TEST(OpenRules, CreatingANewFileNeedsWriteAndSearchOnTheParent) {
    Scenario s;
    OpenFlags f = write_only();
    f.create = true;
    s.open("/srv/new", f).walk(walk_of("/srv/new", {dir(0755), dir(0755), std::nullopt}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(first_block(v).path, "/srv");
    EXPECT_EQ(first_block(v).explain, "write and search permission on /srv (drwxr-xr-x root:root, no ACL) is missing");
    s.walk(walk_of("/srv/new", {dir(0755), dir(0775, 0, 1001), std::nullopt}));
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    // On a read-only mount the name cannot be created.
    s.mount_of(1).ro = true;
    EXPECT_EQ(s.verdict().error, EROFS);
}

TEST(OpenRules, DirectoryFlagAndDirectoriesForWriting) {
    Scenario s;
    OpenFlags d;
    d.directory = true;
    s.open("/f", d).walk(walk_of("/f", {dir(0755), file(0644)}));
    EXPECT_EQ(s.verdict().error, ENOTDIR);
    s.open("/d", write_only()).walk(walk_of("/d", {dir(0755), dir(0777)}));
    EXPECT_EQ(s.verdict().error, EISDIR);
}

}  // namespace
}  // namespace fdscope::report::why
