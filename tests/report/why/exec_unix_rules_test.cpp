// exec, chdir, bind and connect of UNIX socket paths, and the filesystem
// rules of FUSE, NFS and overlayfs, on hand-built facts.
#include <gtest/gtest.h>

#include "report/why/filesystem_rules.hpp"
#include "report/why/facts_builder.hpp"

namespace fdscope::report::why {
namespace {

using namespace testing;

Scenario exec_of(Inode program, std::int32_t mount_id = 1) {
    Scenario s;
    s.op(Op::Exec, "/opt/tool").walk(walk_of("/opt/tool", {dir(0755), dir(0755, 0, 0, mount_id), program}));
    return s;
}

TEST(ExecRules, AnExecutableIsAllowed) { EXPECT_EQ(exec_of(file(0755)).verdict().outcome, Outcome::Allowed); }

TEST(ExecRules, NoexecMountRefusesWhateverTheMode) {
    Scenario s = exec_of(file(0755, 0, 0, 2), 2);
    MountFacts m = mount(2, "/opt", "tmpfs");
    m.noexec = true;
    s.add_mount(m);
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EACCES);
    EXPECT_EQ(first_block(v).layer, Layer::Mount);
}

TEST(ExecRules, ADirectoryOrAFifoIsNotExecutable) {
    EXPECT_EQ(exec_of(dir(0755)).verdict().error, EACCES);
    EXPECT_EQ(exec_of(node(S_IFIFO | 0777)).verdict().error, EACCES);
}

TEST(ExecRules, AFileOpenForWriteIsTextBusy) {
    Scenario s = exec_of(file(0755));
    s.facts.writers = {Holder{1234, "cc", 5, "open for write"}};
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, ETXTBSY);
    EXPECT_EQ(first_block(v).holders.at(0).fd, 5);
}

TEST(ExecRules, SetuidIsIgnoredOnNosuidAndWithNoNewPrivs) {
    Scenario s = exec_of(file(04755));
    EXPECT_NE(find_check(s.checks(), Layer::Capability, Result::Pass), nullptr);
    s.facts.subject.no_new_privs = true;
    const Verdict v = s.verdict();
    EXPECT_EQ(v.outcome, Outcome::Allowed);
    const Check* note = find_check(v.checks, Layer::Capability, Result::Note);
    ASSERT_NE(note, nullptr);
    EXPECT_NE(note->detail.find("setuid root ignored"), std::string::npos);
    Scenario nosuid = exec_of(file(04755));
    nosuid.mount_of(1).nosuid = true;
    EXPECT_NE(find_check(nosuid.checks(), Layer::Capability, Result::Note), nullptr);
}

TEST(ChdirRules, SearchOnTheTargetAndItMustBeADirectory) {
    Scenario s;
    s.op(Op::Chdir, "/srv/app").walk(walk_of("/srv/app", {dir(0755), dir(0755), dir(0700)}));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(first_block(v).layer, Layer::Search);
    s.walk(walk_of("/srv/app", {dir(0755), dir(0755), dir(0711)}));
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    s.walk(walk_of("/srv/app", {dir(0755), dir(0755), file(0755)}));
    EXPECT_EQ(s.verdict().error, ENOTDIR);
}

TEST(ChdirRules, TheRootDirectoryHasNoParentToJudge) {
    Scenario s;
    s.op(Op::Chdir, "/").walk(walk_of("/", {dir(0755)}));
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    s.walk(walk_of("/", {dir(0700)}));
    EXPECT_EQ(first_block(s.verdict()).path, "/");
    s.op(Op::Rmdir, "/");
    EXPECT_EQ(s.verdict().error, EBUSY);
    s.op(Op::Rename, "/", "/x").walk2(walk_of("/x", {dir(0755), std::nullopt}));
    s.as_root();
    EXPECT_EQ(s.verdict().error, EBUSY);
}

Scenario bind_unix(std::optional<Inode> existing) {
    Scenario s;
    s.op(Op::BindUnix, "/run/app/sock").walk(walk_of("/run/app/sock", {dir(0755), dir(0755), dir(0755, 1001, 1001), existing}));
    return s;
}

TEST(UnixRules, BindToAFreePathIsAllowed) { EXPECT_EQ(bind_unix(std::nullopt).verdict().outcome, Outcome::Allowed); }

TEST(UnixRules, BindToAStaleSocketFileIsAddressInUse) {
    Scenario s = bind_unix(node(S_IFSOCK | 0755, 1001, 1001));
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EADDRINUSE);
    EXPECT_EQ(first_block(v).layer, Layer::Busy);
    EXPECT_EQ(first_block(v).fix, "rm /run/app/sock (no process listens on it), then bind");
    // With a listener: named.
    SocketHolder h;
    h.local = "/run/app/sock";
    h.state = "LISTEN";
    h.holders = {Holder{812, "app", 3, ""}};
    s.facts.address_holders = {h};
    const Verdict held = s.verdict();
    EXPECT_EQ(first_block(held).holders.at(0).pid, 812);
}

TEST(UnixRules, ASocketPathLongerThanSunPathIsInvalid) {
    const std::string path = "/run/" + std::string(110, 's');
    Scenario s;
    s.op(Op::BindUnix, path).walk(walk_of(path, {dir(0755), dir(0755), std::nullopt}));
    const Verdict v = s.verdict();
    EXPECT_EQ(v.error, EINVAL);
    EXPECT_EQ(first_block(v).layer, Layer::Path);
}

Scenario connect_to(Inode target, bool listener) {
    Scenario s;
    s.op(Op::ConnectUnix, "/run/app.sock").walk(walk_of("/run/app.sock", {dir(0755), dir(0755), target}));
    if (listener) {
        SocketHolder h;
        h.local = "/run/app.sock";
        h.state = "LISTEN";
        h.holders = {Holder{812, "app", 3, ""}};
        s.facts.address_holders = {h};
    }
    return s;
}

TEST(UnixRules, ConnectNeedsWriteOnTheSocketAndAListener) {
    EXPECT_EQ(connect_to(node(S_IFSOCK | 0777), true).verdict().outcome, Outcome::Allowed);
    const Verdict denied = connect_to(node(S_IFSOCK | 0700), true).verdict();
    EXPECT_EQ(denied.error, EACCES);
    EXPECT_EQ(first_block(denied).layer, Layer::Mode);
    const Verdict stale = connect_to(node(S_IFSOCK | 0777), false).verdict();
    EXPECT_EQ(stale.error, ECONNREFUSED);
    EXPECT_NE(first_block(stale).detail.find("stale socket file"), std::string::npos);
    EXPECT_EQ(connect_to(file(0666), true).verdict().error, ECONNREFUSED);
}

TEST(UnixRules, AReadOnlyFilesystemDoesNotMatterForASocket) {
    Scenario s = connect_to(node(S_IFSOCK | 0777), true);
    s.mount_of(1).super_ro = true;
    s.mount_of(1).ro = true;
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
}

Scenario on_fuse(std::string super_options) {
    Scenario s;
    MountFacts m = mount(7, "/mnt/remote", "fuse.sshfs");
    m.super_options = std::move(super_options);
    s.add_mount(m);
    s.open("/mnt/remote/f", read_only())
        .walk(walk_of("/mnt/remote/f", {dir(0755), dir(0755), dir(0755, 1000, 1000, 7), file(0644, 1000, 1000, 7)}));
    return s;
}

TEST(FilesystemRules, FuseWithoutAllowOtherRefusesEveryoneButTheMounter) {
    Scenario s = on_fuse("rw,user_id=1000,group_id=1000,default_permissions");
    const Verdict v = s.verdict();
    ASSERT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(first_block(v).layer, Layer::Filesystem);
    s.as(1000, 1000);
    EXPECT_EQ(s.verdict().outcome, Outcome::Allowed);
    s.as_root();
    EXPECT_EQ(s.verdict().outcome, Outcome::Denied);
    EXPECT_EQ(on_fuse("rw,user_id=1000,group_id=1000,default_permissions,allow_other").verdict().outcome,
              Outcome::Allowed);
}

TEST(FilesystemRules, FuseWithoutDefaultPermissionsLeavesItToTheDaemon) {
    const Verdict v = on_fuse("rw,user_id=1000,group_id=1000,allow_other").verdict();
    EXPECT_EQ(v.outcome, Outcome::Unknown);
    EXPECT_NE(find_check(v.checks, Layer::Filesystem, Result::Unknown), nullptr);
}

TEST(FilesystemRules, RootOnNfsIsUpToTheServer) {
    Scenario s;
    s.as_root().add_mount(mount(8, "/nfs", "nfs4"));
    s.mount_of(8).super_options = "rw,vers=4.2,sec=sys";
    s.open("/nfs/f", read_only()).walk(walk_of("/nfs/f", {dir(0755), dir(0755, 0, 0, 8), file(0644, 0, 0, 8)}));
    EXPECT_EQ(s.verdict().outcome, Outcome::Unknown);
    s.as(1001, 1001);
    const Verdict user = s.verdict();
    EXPECT_EQ(user.outcome, Outcome::Allowed);
    EXPECT_NE(find_check(user.checks, Layer::Filesystem, Result::Note), nullptr);
}

TEST(FilesystemRules, OverlayDirectoryRenameNotesExdevWithoutRedirectDir) {
    Scenario s;
    s.as_root().add_mount(mount(9, "/merged", "overlay"));
    s.mount_of(9).super_options = "rw,lowerdir=/l,upperdir=/u,workdir=/w";
    s.op(Op::Rename, "/merged/a", "/merged/b")
        .walk(walk_of("/merged/a", {dir(0755), dir(0755, 0, 0, 9), dir(0755, 0, 0, 9)}))
        .walk2(walk_of("/merged/b", {dir(0755), dir(0755, 0, 0, 9), std::nullopt}));
    s.facts.walk2->steps[2].dir = s.facts.walk.steps[2].dir;
    const Verdict v = s.verdict();
    EXPECT_EQ(v.outcome, Outcome::Allowed);
    EXPECT_NE(find_check(v.checks, Layer::Filesystem, Result::Note), nullptr);
}

TEST(FilesystemRules, MountOptionsAreMatchedWhole) {
    EXPECT_TRUE(has_option("rw,allow_other,user_id=0", "allow_other"));
    EXPECT_FALSE(has_option("rw,allow_other_x", "allow_other"));
    EXPECT_EQ(option_value("rw,user_id=1000,group_id=1000", "user_id").value_or(""), "1000");
    EXPECT_FALSE(option_value("rw", "user_id").has_value());
}

TEST(PathRules, OtherOperationsHaveNoPathChecks) {
    Scenario s;
    s.op(Op::BindInet, "");
    EXPECT_TRUE(s.checks().empty());
}

}  // namespace
}  // namespace fdscope::report::why
