// Creating and removing names on hand-built facts: mkdir (EEXIST before
// EROFS), symlink, link (protected_hardlinks, EXDEV), unlink in a sticky
// directory, rmdir (EBUSY, ENOTEMPTY) and rename (EXDEV, a directory
// changing parents).
#include <gtest/gtest.h>

#include "report/why/facts_builder.hpp"

namespace fdscope::report::why {
namespace {

using namespace testing;

TEST(NameRules, MkdirAllowedInAWritableDirectory) {
    Scenario s;
    s.op(Op::Mkdir, "/home/app/new").walk(walk_of("/home/app/new", {dir(0755), dir(0755), dir(0755, 1001, 1001), std::nullopt}));
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
}

TEST(NameRules, MkdirOfAnExistingNameOnAReadOnlyMountIsEexistFirst) {
    Scenario s;
    s.as_root().op(Op::Mkdir, "/srv/x").walk(walk_of("/srv/x", {dir(0755), dir(0755), dir(0755)}));
    s.mount_of(1).ro = true;
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EEXIST);
    ASSERT_GE(v.blocking.size(), 2u);
    EXPECT_EQ(block(v, 1).error, EROFS);
    // A free name on the same mount: EROFS.
    s.walk(walk_of("/srv/x", {dir(0755), dir(0755), std::nullopt}));
    EXPECT_EQ(s.verdict().error, EROFS);
}

TEST(NameRules, MkdirOfATooLongName) {
    const std::string name(300, 'd');
    Scenario s;
    s.as_root().op(Op::Mkdir, "/" + name).walk(walk_of("/" + name, {dir(0755), std::nullopt}));
    EXPECT_EQ(s.verdict().error, ENAMETOOLONG);
}

TEST(NameRules, SymlinkStoresItsTargetUnresolved) {
    Scenario s;
    s.as_root().op(Op::Symlink, "/does/not/exist", "/tmp/l").walk(walk_of("/tmp/l", {dir(0755), dir(01777), std::nullopt}));
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    s.facts.operation.path = std::string(4096, 't');
    EXPECT_EQ(s.verdict().error, ENAMETOOLONG);
}

Scenario link_in(std::uint32_t file_mode, uid_t file_owner, std::int32_t new_mount = 1) {
    Scenario s;
    s.op(Op::Link, "/tmp/f", "/tmp/g")
        .walk(walk_of("/tmp/f", {dir(0755), dir(01777), file(file_mode, file_owner, file_owner)}))
        .walk2(walk_of("/tmp/g", {dir(0755), dir(01777, 0, 0, new_mount), std::nullopt}));
    return s;
}

TEST(NameRules, ProtectedHardlinksRefuseLinkingAnotherUsersUnwritableFile) {
    Scenario s = link_in(0644, 0);
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EPERM);
    EXPECT_EQ(first_block(v).layer, Layer::Protected);
    // Readable and writable by the subject: a safe source.
    EXPECT_EQ(link_in(0666, 0).verdict().outcome, Outcome::Allowed);
    // Its own file, or the sysctl off.
    EXPECT_EQ(link_in(0600, 1001).verdict().outcome, Outcome::Allowed);
    Scenario off = link_in(0644, 0);
    off.facts.sysctls.protected_hardlinks = 0;
    EXPECT_EQ(off.verdict().outcome, Outcome::Allowed);
}

TEST(NameRules, LinkAcrossMountsIsExdev) {
    Scenario s = link_in(0600, 1001, 2);
    s.add_mount(mount(2, "/tmp"));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EXDEV);
    EXPECT_EQ(first_block(v).layer, Layer::Filesystem);
}

// /tmp/f owned by bob in root's 1777 /tmp.
Scenario unlink_in_tmp(std::uint32_t tmp_mode) {
    Scenario s;
    s.op(Op::Unlink, "/tmp/f").walk(walk_of("/tmp/f", {dir(0755), dir(tmp_mode), file(0644, 1002, 1002)}));
    return s;
}

TEST(NameRules, StickyDirectoryKeepsOthersFromUnlinking) {
    Scenario s = unlink_in_tmp(01777);
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EPERM);
    EXPECT_EQ(first_block(v).layer, Layer::Sticky);
    EXPECT_NE(first_block(v).explain.find("only the owner of /tmp/f (bob)"), std::string::npos);
    // The file's owner, root, or a directory that is not sticky.
    s.as(1002, 1002);
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    s.as_root();
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    EXPECT_EQ(unlink_in_tmp(0777).verdict().outcome, Outcome::Allowed);
}

TEST(NameRules, UnlinkOnAReadOnlyMountIsErofsEvenForAMissingName) {
    Scenario s;
    s.as_root().op(Op::Unlink, "/srv/gone").walk(walk_of("/srv/gone", {dir(0755), dir(0755), std::nullopt}));
    EXPECT_EQ(s.verdict().error, ENOENT);
    s.mount_of(1).ro = true;
    const Verdict v = s.verdict();
    EXPECT_EQ(v.error, EROFS);
    EXPECT_EQ(block(v, 1).error, ENOENT);
}

TEST(NameRules, UnlinkOfAnImmutableOrAppendOnlyFileOrADirectory) {
    Scenario s;
    Inode f = file(0644, 1001, 1001);
    f.immutable = true;
    s.op(Op::Unlink, "/home/f").walk(walk_of("/home/f", {dir(0755), dir(0755, 1001, 1001), f}));
    EXPECT_EQ(s.verdict().error, EPERM);
    EXPECT_EQ(first_block(s.verdict()).layer, Layer::Attribute);
    s.walk(walk_of("/home/f", {dir(0755), dir(0755, 1001, 1001), dir(0755, 1001, 1001)}));
    EXPECT_EQ(s.verdict().error, EISDIR);
}

TEST(NameRules, RmdirOfAMountPointIsBusyAndOfAFullDirectoryNotEmpty) {
    Scenario s;
    s.as_root().add_mount(mount(5, "/mnt/usb", "vfat"));
    Inode mounted = dir(0755, 0, 0, 5);
    s.op(Op::Rmdir, "/mnt/usb").walk(walk_of("/mnt/usb", {dir(0755), dir(0755), mounted}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EBUSY);
    EXPECT_EQ(first_block(v).layer, Layer::Busy);

    Inode full = dir(0755);
    full.empty = false;
    s.walk(walk_of("/mnt/usb", {dir(0755), dir(0755), full}));
    EXPECT_EQ(s.verdict().error, ENOTEMPTY);
    full.empty = true;
    s.walk(walk_of("/mnt/usb", {dir(0755), dir(0755), full}));
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    s.walk(walk_of("/mnt/usb", {dir(0755), dir(0755), file(0644)}));
    EXPECT_EQ(s.verdict().error, ENOTDIR);
}

TEST(NameRules, RenameAcrossMountsIsExdevEvenForTwoBindsOfOneFilesystem) {
    Scenario s;
    s.as_root().add_mount(mount(2, "/b"));
    Inode b = dir(0755, 0, 0, 2);
    b.dev = 1;  // the same filesystem as mount 1, bound again
    s.op(Op::Rename, "/a/x", "/b/x")
        .walk(walk_of("/a/x", {dir(0755), dir(0755), file(0644)}))
        .walk2(walk_of("/b/x", {dir(0755), b, std::nullopt}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EXDEV);
    EXPECT_NE(first_block(v).detail.find("the same filesystem through two mounts"), std::string::npos);
    // Within one mount: allowed.
    s.walk2(walk_of("/b/x", {dir(0755), dir(0755), std::nullopt}));
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
}

TEST(NameRules, MovingADirectoryToAnotherParentNeedsWriteOnIt) {
    // app owns both parents, not the directory it moves.
    Scenario s;
    s.op(Op::Rename, "/a/d", "/b/d")
        .walk(walk_of("/a/d", {dir(0755), dir(0755, 1001, 1001), dir(0755)}))
        .walk2(walk_of("/b/d", {dir(0755), dir(0755, 1001, 1001), std::nullopt}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EACCES);
    EXPECT_EQ(first_block(v).path, "/a/d");
    // A file moves without write on itself.
    s.walk(walk_of("/a/d", {dir(0755), dir(0755, 1001, 1001), file(0444)}));
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
}

TEST(NameRules, RenameOverAnExistingNameJudgesItsRemoval) {
    Scenario s;
    s.op(Op::Rename, "/tmp/a", "/tmp/b")
        .walk(walk_of("/tmp/a", {dir(0755), dir(01777), file(0644, 1001, 1001)}))
        .walk2(walk_of("/tmp/b", {dir(0755), dir(01777), file(0644, 1002, 1002)}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(first_block(v).layer, Layer::Sticky);
    EXPECT_EQ(first_block(v).path, "/tmp/b");
}

TEST(NameRules, DotAndDotDotAsTheLastComponent) {
    Scenario s;
    s.as_root();
    const Inode srv = dir(0755);
    s.op(Op::Mkdir, "/srv/.").walk(walk_of("/srv/.", {dir(0755), srv, srv}));
    EXPECT_EQ(s.verdict().error, EEXIST);
    s.op(Op::Rmdir, "/srv/.");
    EXPECT_EQ(s.verdict().error, EINVAL);
    s.op(Op::Unlink, "/srv/.");
    EXPECT_EQ(s.verdict().error, EISDIR);
    s.op(Op::Rmdir, "/srv/..").walk(walk_of("/srv/..", {dir(0755), srv, dir(0755)}));
    EXPECT_EQ(s.verdict().error, ENOTEMPTY);
}

}  // namespace
}  // namespace fdscope::report::why
