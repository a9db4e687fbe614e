// The permission layers on hand-built facts: search, mode, ACL (with the
// kernel's mask shortcut), capabilities and user namespaces.
#include <gtest/gtest.h>

#include <linux/capability.h>

#include "report/why/inode_permission.hpp"
#include "report/why/facts_builder.hpp"

namespace fdscope::report::why {
namespace {

using namespace testing;
using Tag = AclEntry::Tag;

constexpr std::uint64_t cap(int c) { return std::uint64_t{1} << c; }

// /srv/app/data.db for uid 1001: /srv/app is 0700 root.
Scenario locked_app_dir(std::uint32_t app_mode, std::uint32_t file_mode) {
    Scenario s;
    s.open("/srv/app/data.db", read_only())
        .walk(walk_of("/srv/app/data.db", {dir(0755), dir(0755), dir(app_mode), file(file_mode)}));
    return s;
}

TEST(PermissionRules, SearchPermissionBeforeTheFileMode) {
    const Verdict v = locked_app_dir(0700, 0600).verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EACCES);
    const Check& first = first_block(v);
    EXPECT_EQ(first.layer, Layer::Search);
    EXPECT_EQ(first.path, "/srv/app");
    EXPECT_EQ(first.explain, "search permission on /srv/app (drwx------ root:root, no ACL) is missing");
    EXPECT_EQ(first.fix, "chmod o+x /srv/app, or setfacl -m u:app:x /srv/app");
    // Every layer is evaluated: the file's own mode is the next blocker.
    ASSERT_EQ(v.blocking.size(), 2u);
    EXPECT_EQ(block(v, 1).layer, Layer::Mode);
    EXPECT_EQ(block(v, 1).path, "/srv/app/data.db");
}

TEST(PermissionRules, ReadableFileInSearchableDirectoriesIsAllowed) {
    const Verdict v = locked_app_dir(0711, 0644).verdict();
    EXPECT_EQ(v.outcome, Outcome::Allowed);
    EXPECT_TRUE(v.blocking.empty());
}

TEST(PermissionRules, AnAclEntryGrantingSearchOpensTheDirectory) {
    Scenario s = locked_app_dir(0710, 0644);
    // u::rwx,u:app:--x,g::---,m::--x,o::---: the group bits are the mask.
    auto& app = *s.facts.walk.steps[3].dir;
    app.acl = {acl(Tag::UserObj, 7), acl(Tag::User, 1, 1001), acl(Tag::GroupObj, 0), acl(Tag::Mask, 1),
               acl(Tag::Other, 0)};
    const Verdict v = s.verdict();
    EXPECT_EQ(v.outcome, Outcome::Allowed);
    const Check* search = nullptr;
    for (const auto& c : v.checks)
        if (c.layer == Layer::Search && c.path == "/srv/app") search = &c;
    ASSERT_NE(search, nullptr);
    EXPECT_NE(search->detail.find("u:app:--x"), std::string::npos) << search->detail;
}

TEST(PermissionRules, AclMaskQuirkEmptyMaskFallsThroughToOtherBits) {
    // u::rw-,u:app:rwx,g::r--,m::---,o::r--: the mode's group bits are the
    // mask, ---, so the kernel never reads the ACL and app reads through o::r.
    Scenario s;
    Inode f = file(0604);
    f.acl = {acl(Tag::UserObj, 6), acl(Tag::User, 7, 1001), acl(Tag::GroupObj, 4), acl(Tag::Mask, 0),
             acl(Tag::Other, 4)};
    s.open("/f", read_only()).walk(walk_of("/f", {dir(0755), f}));
    const Verdict v = s.verdict();
    EXPECT_EQ(v.outcome, Outcome::Allowed);
    const Check* mode = find_check(v.checks, Layer::Mode, Result::Pass);
    ASSERT_NE(mode, nullptr);
    EXPECT_NE(mode->detail.find("ACL ignored"), std::string::npos) << mode->detail;

    // The named entry's rwx does not give write: the other bits decide.
    s.facts.operation.open = write_only();
    const Verdict w = s.verdict();
    ASSERT_EQ(w.outcome, Outcome::Denied);
    EXPECT_EQ(first_block(w).layer, Layer::Mode);
}

TEST(PermissionRules, WithANonEmptyMaskTheNamedEntryDecides) {
    // u:app:---,m::rwx,o::r--: other bits would grant read, the named entry denies.
    Scenario s;
    Inode f = file(0674);
    f.acl = {acl(Tag::UserObj, 6), acl(Tag::User, 0, 1001), acl(Tag::GroupObj, 4), acl(Tag::Mask, 7),
             acl(Tag::Other, 4)};
    s.open("/f", read_only()).walk(walk_of("/f", {dir(0755), f}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(first_block(v).layer, Layer::Acl);
    EXPECT_EQ(first_block(v).fix, "setfacl -m u:app:r /f");
}

TEST(PermissionRules, TheMaskLimitsANamedEntry) {
    // u:app:rw-,m::r--: app may read, not write; the fix widens the mask.
    Scenario s;
    Inode f = file(0640);
    f.acl = {acl(Tag::UserObj, 6), acl(Tag::User, 6, 1001), acl(Tag::GroupObj, 4), acl(Tag::Mask, 4),
             acl(Tag::Other, 0)};
    s.open("/f", read_only()).walk(walk_of("/f", {dir(0755), f}));
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    s.facts.operation.open = write_only();
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(first_block(v).layer, Layer::Acl);
    EXPECT_EQ(first_block(v).fix, "setfacl -m m::rw /f");
}

TEST(PermissionRules, MatchingGroupEntriesThatAllLackTheAccessDeny) {
    // g:bob:--- matches; other r-- is not consulted.
    Scenario s;
    s.facts.subject.groups = {1002};
    Inode f = file(0644);
    f.acl = {acl(Tag::UserObj, 6), acl(Tag::GroupObj, 0), acl(Tag::Group, 0, 1002), acl(Tag::Mask, 4),
             acl(Tag::Other, 4)};
    s.open("/f", read_only()).walk(walk_of("/f", {dir(0755), f}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(first_block(v).layer, Layer::Acl);
}

TEST(PermissionRules, TheOwnerGetsTheOwnerBitsOnlyEvenWhenOthersMayMore) {
    Scenario s;
    s.open("/f", read_only()).walk(walk_of("/f", {dir(0755), file(0077, 1001, 1001)}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(first_block(v).layer, Layer::Mode);
    EXPECT_EQ(first_block(v).fix, "chmod u+r /f");
}

TEST(PermissionRules, GroupMembershipUsesTheGroupBits) {
    Scenario s;
    s.facts.subject.groups = {1002};
    s.open("/f", write_only()).walk(walk_of("/f", {dir(0755), file(0646, 0, 1002)}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(first_block(v).fix, "chmod g+w /f");
}

TEST(PermissionRules, DacReadSearchReadsButDoesNotWrite) {
    Scenario s;
    s.as(1001, 1001, cap(CAP_DAC_READ_SEARCH));
    s.open("/f", read_only()).walk(walk_of("/f", {dir(0700), file(0600)}));
    const Verdict r = s.verdict();
    EXPECT_EQ(r.outcome, Outcome::Allowed);
    EXPECT_NE(find_check(r.checks, Layer::Capability, Result::Pass), nullptr);
    s.facts.operation.open = write_only();
    const Verdict w = s.verdict();
    ASSERT_EQ(w.outcome, Outcome::Denied);
    EXPECT_EQ(first_block(w).path, "/f");
}

TEST(PermissionRules, CapabilitiesDoNotCountForAnOwnerUnmappedInTheUserNamespace) {
    // "root" of a user namespace mapping 0-65535 to 100000-165535, full caps,
    // reading a host root file 0600.
    Scenario s;
    s.as(100000, 100000, kAllCaps);
    s.facts.subject.uid_map = {{0, 100000, 65536}};
    s.facts.subject.gid_map = {{0, 100000, 65536}};
    s.facts.subject.init_user_ns = false;
    s.open("/etc/shadow", read_only()).walk(walk_of("/etc/shadow", {dir(0755), dir(0755), file(0600)}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    const Check& c = first_block(v);
    EXPECT_EQ(c.layer, Layer::Capability);
    EXPECT_NE(c.detail.find("not mapped in the subject's user namespace (shown there as 65534)"), std::string::npos)
        << c.detail;
    EXPECT_EQ(c.explain,
              "read permission on /etc/shadow (-rw------- root:root, no ACL) is missing; the subject's capabilities "
              "do not count: owner 0:0 is not mapped in the subject's user namespace (shown there as 65534)");
    EXPECT_NE(c.detail.find("CAP_DAC_OVERRIDE present but not counted (the owner is not mapped"), std::string::npos)
        << c.detail;

    // An owner inside the map: CAP_DAC_OVERRIDE counts.
    s.walk(walk_of("/etc/shadow", {dir(0755), dir(0755), file(0600, 100001, 100001)}));
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
}

TEST(PermissionRules, RootNeedsOneExecuteBitToExecute) {
    Scenario s;
    s.as_root().op(Op::Exec, "/bin/tool").walk(walk_of("/bin/tool", {dir(0755), dir(0755), file(0644)}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(first_block(v).layer, Layer::Mode);
    EXPECT_NE(first_block(v).detail.find("without any x bit"), std::string::npos);
    s.walk(walk_of("/bin/tool", {dir(0755), dir(0755), file(0744, 1001)}));
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
}

TEST(PermissionRules, AnUnreadAclMakesADenialUnknown) {
    Scenario s;
    Inode f = file(0640);
    f.acl_known = false;
    s.open("/f", read_only()).walk(walk_of("/f", {dir(0755), f}));
    const Verdict v = s.verdict();
    EXPECT_EQ(v.outcome, Outcome::Unknown);
}

TEST(PermissionRules, AccessWordsNameDirectoriesSearch) {
    EXPECT_EQ(access_words(kMayWrite | kMayExec, true), "write and search");
    EXPECT_EQ(access_words(kMayRead | kMayWrite, false), "read and write");
    EXPECT_EQ(access_words(kMayExec, false), "execute");
}

}  // namespace
}  // namespace fdscope::report::why
