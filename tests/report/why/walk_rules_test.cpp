// The path walk on hand-built facts: PATH_MAX, NAME_MAX, ENOENT naming
// the first missing component, ENOTDIR, symlinks (40 followed, 41 not),
// O_NOFOLLOW, nosymfollow and protected_symlinks.
#include <gtest/gtest.h>

#include <string>

#include "report/why/walk_rules.hpp"
#include "report/why/facts_builder.hpp"

namespace fdscope::report::why {
namespace {

using namespace testing;

// /l0 -> /l1 -> ... -> /l{n-1} -> /target: n symlinks followed in one lookup.
Walk link_chain(std::size_t n) {
    const Inode root = dir(0755);
    Walk w;
    w.path = "/l0";
    Step start;
    start.path = "/";
    start.inode = root;
    w.steps.push_back(start);
    for (std::size_t k = 0; k < n; ++k) {
        Step s;
        s.name = "l" + std::to_string(k);
        s.path = "/" + s.name;
        s.dir = root;
        s.inode = symlink(k + 1 < n ? "/l" + std::to_string(k + 1) : "/target");
        s.followed = true;
        s.last = true;
        s.links_so_far = static_cast<std::uint32_t>(k);
        w.steps.push_back(s);
    }
    Step t;
    t.name = "target";
    t.path = "/target";
    t.dir = root;
    t.inode = file(0644);
    t.last = true;
    t.links_so_far = static_cast<std::uint32_t>(n);
    w.steps.push_back(t);
    w.complete = true;
    w.parent = root;
    w.parent_path = "/";
    return w;
}

TEST(WalkRules, FortySymlinksAreFollowedFortyOneAreNot) {
    Scenario s;
    s.open("/l0", read_only()).walk(link_chain(40));
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    s.walk(link_chain(41));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, ELOOP);
    EXPECT_EQ(first_block(v).layer, Layer::Path);
    EXPECT_EQ(first_block(v).path, "/l40");
}

TEST(WalkRules, AComponentLongerThanTheFilesystemsLimit) {
    const std::string name(300, 'n');
    Scenario s;
    s.open("/tmp/" + name, read_only()).walk(walk_of("/tmp/" + name, {dir(0755), dir(01777), std::nullopt}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, ENAMETOOLONG);
    EXPECT_EQ(first_block(v).fix, "shorten the name to at most 255 bytes");
    // The filesystem's own limit counts: 300 fits one allowing 1024.
    s.mount_of(1).name_max = 1024;
    EXPECT_EQ(s.verdict().error, ENOENT);
}

TEST(WalkRules, AWholePathFromPathMaxOnIsTooLong) {
    const std::string path = "/" + std::string(4095, 'a');
    const Check c = path_length_check(path, "the path");
    EXPECT_EQ(c.result, Result::Fail);
    EXPECT_EQ(c.error, ENAMETOOLONG);
    EXPECT_EQ(path_length_check(path.substr(0, 4095), "the path").result, Result::Pass);
    EXPECT_EQ(path_length_check("", "the path").error, ENOENT);
}

TEST(WalkRules, EnoentNamesTheFirstMissingComponent) {
    Scenario s;
    s.open("/srv/missing/x", read_only()).walk(walk_of("/srv/missing/x", {dir(0755), dir(0755), std::nullopt, std::nullopt}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, ENOENT);
    EXPECT_EQ(first_block(v).path, "/srv/missing");
    EXPECT_EQ(v.blocking.size(), 1u);
    // O_CREAT does not create missing directories.
    OpenFlags create = write_only();
    create.create = true;
    s.facts.operation.open = create;
    EXPECT_EQ(s.verdict().error, ENOENT);
}

TEST(WalkRules, ADanglingSymlinkNamesItsTarget) {
    const Inode root = dir(0755);
    Walk w;
    w.path = "/link";
    Step start;
    start.path = "/";
    start.inode = root;
    Step l;
    l.path = "/link";
    l.name = "link";
    l.dir = root;
    l.inode = symlink("/nowhere");
    l.followed = true;
    l.last = true;
    Step t;
    t.path = "/nowhere";
    t.name = "nowhere";
    t.dir = root;
    t.lookup_error = ENOENT;
    t.last = true;
    t.links_so_far = 1;
    w.steps = {start, l, t};
    w.complete = true;
    Scenario s;
    s.open("/link", read_only()).walk(w);
    const Verdict v = s.verdict();
    ASSERT_EQ(v.error, ENOENT);
    EXPECT_EQ(first_block(v).explain, "the symlink /link points to /nowhere, and /nowhere does not exist");

    // O_NOFOLLOW: the link itself is the object, and open refuses it.
    OpenFlags nofollow;
    nofollow.nofollow = true;
    s.facts.operation.open = nofollow;
    const Verdict n = s.verdict();
    ASSERT_EQ(n.outcome, Outcome::Denied);
    EXPECT_EQ(n.error, ELOOP);
}

TEST(WalkRules, AFileInTheMiddleOfThePathIsNotADirectory) {
    Scenario s;
    s.open("/etc/passwd/x", read_only()).walk(walk_of("/etc/passwd/x", {dir(0755), dir(0755), file(0644), std::nullopt}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, ENOTDIR);
    EXPECT_EQ(first_block(v).path, "/etc/passwd");
}

// /tmp/link -> /etc/motd, the link owned by bob in root's 1777 /tmp.
Scenario tmp_link(uid_t link_owner) {
    const Inode root = dir(0755), tmp = dir(01777), etc = dir(0755);
    Walk w;
    w.path = "/tmp/link";
    Step start;
    start.path = "/";
    start.inode = root;
    Step t;
    t.path = "/tmp";
    t.name = "tmp";
    t.dir = root;
    t.inode = tmp;
    Step l;
    l.path = "/tmp/link";
    l.name = "link";
    l.dir = tmp;
    l.inode = symlink("/etc/motd", link_owner, link_owner);
    l.followed = true;
    l.last = true;
    Step e;
    e.path = "/etc";
    e.name = "etc";
    e.dir = root;
    e.inode = etc;
    e.links_so_far = 1;
    Step m;
    m.path = "/etc/motd";
    m.name = "motd";
    m.dir = etc;
    m.inode = file(0644);
    m.last = true;
    m.links_so_far = 1;
    w.steps = {start, t, l, e, m};
    w.complete = true;
    Scenario s;
    s.as_root().open("/tmp/link", read_only()).walk(w);
    s.facts.sysctls.protected_symlinks = 1;
    return s;
}

TEST(WalkRules, ProtectedSymlinksRefuseRootTooInAStickyWorldWritableDirectory) {
    Scenario s = tmp_link(1002);
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EACCES);
    EXPECT_EQ(first_block(v).layer, Layer::Protected);
    EXPECT_NE(first_block(v).detail.find("fs.protected_symlinks=1"), std::string::npos);
    // The follower owns the link, or the sysctl is off: followed.
    s.as(1002, 1002);
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    Scenario off = tmp_link(1002);
    off.facts.sysctls.protected_symlinks = 0;
    EXPECT_EQ(off.verdict().outcome, Outcome::Allowed);
    // A link owned by the directory's owner is followed by anyone.
    EXPECT_EQ(tmp_link(0).verdict().outcome, Outcome::Allowed);
}

TEST(WalkRules, UnreadSysctlsMatterOnlyWhereTheRuleCouldApply) {
    Scenario s = tmp_link(1002);
    s.facts.sysctls.known = false;
    EXPECT_EQ(s.verdict().outcome, Outcome::Unknown);
    // The same link in a directory that is not sticky: followed whatever the sysctl.
    s.facts.walk.steps[2].dir->mode = S_IFDIR | 0777;
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
}

TEST(WalkRules, ANosymfollowMountRefusesToFollow) {
    Scenario s = tmp_link(0);
    s.mount_of(1).nosymfollow = true;
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, ELOOP);
    EXPECT_EQ(first_block(v).layer, Layer::Mount);
}

TEST(WalkRules, TheGatherersOwnErrorIsReportedWhenTheStepsDoNotShowIt) {
    Scenario s;
    Walk w = walk_of("/a/b", {dir(0755), dir(0755), file(0644)});
    w.steps.resize(2);
    w.complete = false;
    w.error = EIO;
    w.error_detail = "lookup of /a/b failed: EIO";
    s.open("/a/b", read_only()).walk(w);
    EXPECT_EQ(s.verdict().outcome, Outcome::Unknown);
}

TEST(WalkRules, WalkEndOfANonFollowingOperationIsTheTrailingLinkItself) {
    Scenario s = tmp_link(1002);
    const WalkEnd end = walk_end(s.facts.walk, false);
    ASSERT_NE(end.object, nullptr);
    EXPECT_EQ(end.path, "/tmp/link");
    EXPECT_TRUE(end.reached);
    const WalkEnd followed = walk_end(s.facts.walk, true);
    EXPECT_EQ(followed.path, "/etc/motd");
    EXPECT_EQ(followed.dir_path, "/etc");
}

}  // namespace
}  // namespace fdscope::report::why
