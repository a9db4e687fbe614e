// The walk on the real kernel, in the subject's view: a read-only bind
// mount only a child's mount namespace has, an absolute symlink inside a
// chrooted subject's root, ACLs and the immutable bit as getfacl and
// chattr set them, 40 and 41 links, a dangling link, the mounts touched.
#include "why/path_facts.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <ftw.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.hpp"
#include "support/support.hpp"
#include "sys/files.hpp"
#include "why/kernel_lookup.hpp"
#include "why/subject_facts.hpp"
#include "why/sysctl_facts.hpp"
#include "why/walker.hpp"

namespace fdscope::why {
namespace {

struct TempDir {
    std::string path;
    explicit TempDir(const char* base = "/tmp") {
        std::string tmpl = std::string(base) + "/fdscope-why-XXXXXX";
        if (::mkdtemp(tmpl.data())) path = tmpl;
    }
    ~TempDir() {
        if (path.empty()) return;
        ::nftw(
            path.c_str(), [](const char* p, const struct stat*, int, struct FTW*) { return ::remove(p); }, 16,
            FTW_DEPTH | FTW_PHYS);
    }
    std::string operator/(const std::string& name) const { return path + "/" + name; }
};

void touch(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0) << path;
    ::close(fd);
}

Facts facts_for(Op op, const std::string& path, const Subject& subject) {
    Facts f;
    f.operation.op = op;
    f.operation.path = path;
    f.subject = subject;
    return f;
}

Subject caller() {
    SubjectGather g = caller_subject();
    EXPECT_TRUE(g.subject) << g.error;
    return g.subject.value_or(Subject{});
}

TEST(PathFacts, AReadOnlyBindMountSeenOnlyInTheChildsNamespace) {
    if (!test::is_root()) GTEST_SKIP() << "needs root for a mount namespace";
    TempDir d;
    ASSERT_FALSE(d.path.empty());
    ASSERT_EQ(::mkdir((d / "data").c_str(), 0755), 0);
    touch(d / "data/file");
    const std::string data = d / "data";
    test::Child child([&] {
        if (::unshare(CLONE_NEWNS) != 0) return errno;
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return errno;
        if (::mount(data.c_str(), data.c_str(), nullptr, MS_BIND, nullptr) != 0) return errno;
        if (::mount(nullptr, data.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) return errno;
        return 0;
    });
    ASSERT_EQ(child.error(), 0) << std::strerror(child.error());
    SubjectGather g = process_subject(child.pid());
    ASSERT_TRUE(g.subject) << g.error;
    EXPECT_FALSE(g.subject->same_mnt_ns);

    Facts theirs = facts_for(Op::Open, d / "data/file", *g.subject);
    gather_path_facts(theirs);
    ASSERT_TRUE(theirs.walk.complete) << theirs.walk.error_detail;
    const Step& last = theirs.walk.steps.back();
    ASSERT_TRUE(last.inode);
    const MountFacts* m = find_mount(theirs, last.inode->mount_id);
    ASSERT_TRUE(m) << "mount " << last.inode->mount_id << " not gathered";
    EXPECT_TRUE(m->ro);
    EXPECT_FALSE(m->super_ro);
    EXPECT_EQ(m->mount_point, data);
    EXPECT_TRUE(m->space_known);
    // The parent directory is the bind mount's root: the same mount.
    EXPECT_EQ(theirs.walk.parent->mount_id, last.inode->mount_id);

    Facts ours = facts_for(Op::Open, d / "data/file", caller());
    gather_path_facts(ours);
    ASSERT_TRUE(ours.walk.complete);
    const std::int32_t our_id = ours.walk.steps.back().inode->mount_id;
    EXPECT_NE(our_id, last.inode->mount_id);
    const MountFacts* mine = find_mount(ours, our_id);
    ASSERT_TRUE(mine);
    EXPECT_FALSE(mine->ro);
}

TEST(PathFacts, MountFlagsAndAReadOnlySuperblock) {
    if (!test::is_root()) GTEST_SKIP() << "needs root for a mount namespace";
    TempDir d;
    ASSERT_EQ(::mkdir((d / "m").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((d / "r").c_str(), 0755), 0);
    const std::string m = d / "m", r = d / "r";
    test::Child child([&] {
        if (::unshare(CLONE_NEWNS) != 0) return errno;
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return errno;
        if (::mount("fdscope-m", m.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOSYMFOLLOW,
                    "size=64k") != 0)
            return errno;
        if (::mount("fdscope-r", r.c_str(), "tmpfs", MS_RDONLY, "size=64k,nr_inodes=16") != 0) return errno;
        return 0;
    });
    ASSERT_EQ(child.error(), 0) << std::strerror(child.error());
    SubjectGather g = process_subject(child.pid());
    ASSERT_TRUE(g.subject) << g.error;

    Facts fm = facts_for(Op::Mkdir, m + "/new", *g.subject);
    gather_path_facts(fm);
    ASSERT_TRUE(fm.walk.parent);
    const MountFacts* tm = find_mount(fm, fm.walk.parent->mount_id);
    ASSERT_TRUE(tm);
    EXPECT_EQ(tm->fstype, "tmpfs");
    EXPECT_EQ(tm->source, "fdscope-m");
    EXPECT_TRUE(tm->nosuid && tm->nodev && tm->noexec && tm->nosymfollow);
    EXPECT_FALSE(tm->ro);
    EXPECT_FALSE(tm->super_ro);
    EXPECT_FALSE(tm->idmapped);
    ASSERT_TRUE(tm->space_known);
    EXPECT_EQ(tm->block_size * tm->blocks, 64u * 1024);

    Facts fr = facts_for(Op::Mkdir, r + "/new", *g.subject);
    gather_path_facts(fr);
    ASSERT_TRUE(fr.walk.parent);
    const MountFacts* rm = find_mount(fr, fr.walk.parent->mount_id);
    ASSERT_TRUE(rm);
    EXPECT_TRUE(rm->ro);
    EXPECT_TRUE(rm->super_ro);
    EXPECT_NE(rm->super_options.find("ro"), std::string::npos);
    EXPECT_EQ(rm->files, 16u);
}

TEST(PathFacts, AnAbsoluteSymlinkResolvesInsideTheSubjectsRoot) {
    if (!test::is_root()) GTEST_SKIP() << "needs root to chroot";
    TempDir d;
    ASSERT_EQ(::mkdir((d / "etc").c_str(), 0755), 0);
    touch(d / "etc/only-in-the-jail");
    ASSERT_EQ(::symlink("/etc/only-in-the-jail", (d / "link").c_str()), 0);
    const std::string root = d.path;
    test::Child child([&] {
        if (::chroot(root.c_str()) != 0) return errno;
        if (::chdir("/etc") != 0) return errno;
        return 0;
    });
    ASSERT_EQ(child.error(), 0);
    SubjectGather g = process_subject(child.pid());
    ASSERT_TRUE(g.subject) << g.error;
    EXPECT_EQ(g.subject->root, root);
    EXPECT_EQ(g.subject->cwd, "/etc");

    Facts jail = facts_for(Op::Open, "/link", *g.subject);
    gather_path_facts(jail);
    ASSERT_TRUE(jail.walk.complete) << jail.walk.error_detail;
    EXPECT_TRUE(jail.walk.last_exists);
    EXPECT_EQ(jail.walk.steps.back().path, "/etc/only-in-the-jail");
    struct stat st{};
    ASSERT_EQ(::stat((d / "etc/only-in-the-jail").c_str(), &st), 0);
    EXPECT_EQ(jail.walk.steps.back().inode->ino, st.st_ino);

    // ".." above the jail's root stays in it; relative paths start at its cwd.
    Facts up = facts_for(Op::Open, "../../../etc/only-in-the-jail", *g.subject);
    gather_path_facts(up);
    EXPECT_TRUE(up.walk.last_exists) << up.walk.error_detail;
    EXPECT_EQ(up.walk.steps.front().path, "/etc");

    // The same link as fdscope sees it points at the host's /etc.
    Facts host = facts_for(Op::Open, d / "link", caller());
    gather_path_facts(host);
    EXPECT_FALSE(host.walk.last_exists);
    EXPECT_EQ(host.walk.steps.back().path, "/etc/only-in-the-jail");
}

// getfacl's entries, numeric: "user::rw-", "user:65534:rw-", "mask::rw-", ...
std::vector<std::string> getfacl(const std::string& path) {
    test::RunResult r = test::run({"getfacl", "-n", "-c", "-p", "-E", path});
    std::vector<std::string> out;
    for (const auto& line : test::split_lines(r.out))
        if (!line.empty()) out.push_back(line);
    return out;
}

std::string acl_text(const AclEntry& e) {
    static const char* tags[] = {"user:", "user:", "group:", "group:", "mask:", "other:"};
    std::string s = tags[static_cast<int>(e.tag)];
    if (e.tag == AclEntry::Tag::User || e.tag == AclEntry::Tag::Group) s += std::to_string(e.id);
    s += ":";
    s += (e.perm & 4) ? 'r' : '-';
    s += (e.perm & 2) ? 'w' : '-';
    s += (e.perm & 1) ? 'x' : '-';
    return s;
}

TEST(PathFacts, TheAclIsWhatGetfaclShows) {
    if (!test::have_tool("setfacl") || !test::have_tool("getfacl")) GTEST_SKIP() << "acl tools not installed";
    TempDir d("/dev/shm");  // tmpfs
    ASSERT_FALSE(d.path.empty());
    touch(d / "f");
    touch(d / "plain");
    test::RunResult set = test::run({"setfacl", "-m", "u:nobody:rw,g:daemon:r", d / "f"});
    if (set.status != 0) GTEST_SKIP() << "setfacl on tmpfs refused: " << set.err;

    Facts f = facts_for(Op::Open, d / "f", caller());
    gather_path_facts(f);
    ASSERT_TRUE(f.walk.complete);
    const Inode& ino = *f.walk.steps.back().inode;
    ASSERT_TRUE(ino.acl_known) << ino.acl_unreadable;
    std::vector<std::string> ours;
    for (const auto& e : ino.acl) ours.push_back(acl_text(e));
    EXPECT_EQ(ours, getfacl(d / "f"));
    EXPECT_NE(std::find(ours.begin(), ours.end(), "user:65534:rw-"), ours.end());

    Facts p = facts_for(Op::Open, d / "plain", caller());
    gather_path_facts(p);
    EXPECT_TRUE(p.walk.steps.back().inode->acl_known);
    EXPECT_TRUE(p.walk.steps.back().inode->acl.empty());
}

// chattr -i on every way out of the test.
struct Immutable {
    std::string path;
    bool set = false;
    explicit Immutable(std::string p) : path(std::move(p)) {
        set = test::run({"chattr", "+i", path}).status == 0;
    }
    ~Immutable() {
        if (set) test::run({"chattr", "-i", path});
    }
};

TEST(PathFacts, ImmutableAsChattrSetsIt) {
    if (!test::is_root() || !test::have_tool("chattr")) GTEST_SKIP() << "needs root and chattr";
    TempDir d("/dev/shm");
    touch(d / "f");
    Facts before = facts_for(Op::Open, d / "f", caller());
    gather_path_facts(before);
    const Inode& b = *before.walk.steps.back().inode;
    if (!b.attributes_known) GTEST_SKIP() << "statx reports no attributes on this tmpfs";
    EXPECT_FALSE(b.immutable);
    {
        Immutable imm(d / "f");
        if (!imm.set) GTEST_SKIP() << "chattr +i refused on tmpfs";
        Facts after = facts_for(Op::Open, d / "f", caller());
        gather_path_facts(after);
        EXPECT_TRUE(after.walk.steps.back().inode->immutable);
        EXPECT_FALSE(after.walk.steps.back().inode->append_only);
    }
}

void make_chain(const TempDir& d, int n) {
    touch(d / "target");
    for (int i = 1; i <= n; ++i) {
        std::string to = i == n ? "target" : "l" + std::to_string(i + 1);
        ASSERT_EQ(::symlink(to.c_str(), (d / ("l" + std::to_string(i))).c_str()), 0);
    }
}

TEST(PathFacts, FortyLinksOpenAndFortyOneAreEloopAsTheKernelSays) {
    TempDir forty, forty_one;
    make_chain(forty, 40);
    make_chain(forty_one, 41);
    Facts ok = facts_for(Op::Open, forty / "l1", caller());
    gather_path_facts(ok);
    EXPECT_EQ(ok.walk.error, 0) << ok.walk.error_detail;
    EXPECT_TRUE(ok.walk.last_exists);
    int fd = ::open((forty / "l1").c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(fd, 0);
    if (fd >= 0) ::close(fd);

    Facts loop = facts_for(Op::Open, forty_one / "l1", caller());
    gather_path_facts(loop);
    EXPECT_EQ(loop.walk.error, ELOOP);
    EXPECT_EQ(::open((forty_one / "l1").c_str(), O_RDONLY | O_CLOEXEC), -1);
    EXPECT_EQ(errno, ELOOP);
}

TEST(PathFacts, ADanglingSymlinkNamesItsTarget) {
    TempDir d;
    ASSERT_EQ(::symlink("missing/cfg", (d / "cfg").c_str()), 0);
    Facts f = facts_for(Op::Open, d / "cfg", caller());
    gather_path_facts(f);
    EXPECT_EQ(f.walk.error, ENOENT);
    bool named = false;
    for (const auto& s : f.walk.steps)
        if (s.followed && s.inode && s.inode->symlink_target == "missing/cfg") named = true;
    EXPECT_TRUE(named);
    EXPECT_EQ(f.walk.steps.back().path, d / "missing");
    EXPECT_EQ(f.walk.steps.back().lookup_error, ENOENT);

    // unlink does not follow: the link itself is the object.
    Facts u = facts_for(Op::Unlink, d / "cfg", caller());
    gather_path_facts(u);
    EXPECT_TRUE(u.walk.last_exists);
    EXPECT_TRUE(S_ISLNK(u.walk.steps.back().inode->mode));
    EXPECT_EQ(u.walk.parent_path, d.path);
}

TEST(PathFacts, ALongNameGetsTheKernelsErrno) {
    TempDir d;
    Facts f = facts_for(Op::Mkdir, d / std::string(300, 'n'), caller());
    gather_path_facts(f);
    EXPECT_TRUE(f.walk.complete);
    EXPECT_EQ(f.walk.steps.back().lookup_error, ENAMETOOLONG);
    ASSERT_TRUE(f.walk.parent);
    const MountFacts* m = find_mount(f, f.walk.parent->mount_id);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->name_max, 255u);
}

TEST(PathFacts, RenameWalksBothPaths) {
    TempDir d;
    touch(d / "old");
    Facts f = facts_for(Op::Rename, d / "old", caller());
    f.operation.path2 = d / "new";
    gather_path_facts(f);
    EXPECT_TRUE(f.walk.last_exists);
    ASSERT_TRUE(f.walk2);
    EXPECT_TRUE(f.walk2->complete);
    EXPECT_FALSE(f.walk2->last_exists);
    EXPECT_EQ(f.walk2->parent_path, d.path);
}

TEST(PathFacts, SymlinkWalksTheLinksPathNeverItsTarget) {
    TempDir d;
    Facts f = facts_for(Op::Symlink, "/nonexistent-target/x", caller());
    f.operation.path2 = d / "newlink";
    gather_path_facts(f);
    EXPECT_EQ(f.walk.path, d / "newlink");
    EXPECT_TRUE(f.walk.complete);
    EXPECT_FALSE(f.walk.last_exists);
    EXPECT_FALSE(f.walk2);
}

TEST(PathFacts, AUserStartsRelativePathsAtTheRoot) {
    SubjectGather g = user_subject("root");
    ASSERT_TRUE(g.subject) << g.error;
    Facts f = facts_for(Op::Chdir, "tmp", *g.subject);
    gather_path_facts(f);
    ASSERT_TRUE(f.walk.complete) << f.walk.error_detail;
    EXPECT_EQ(f.walk.steps.front().path, "/");
    EXPECT_EQ(f.walk.steps.back().path, "/tmp");
    EXPECT_FALSE(f.mounts.empty());
}

TEST(PathFacts, NoPathNoWalk) {
    Facts f = facts_for(Op::BindInet, "", caller());
    gather_path_facts(f);
    EXPECT_TRUE(f.walk.steps.empty());
    EXPECT_TRUE(f.mounts.empty());
}

TEST(PathFacts, ModeAndOwnerAsStatSays) {
    TempDir d;
    touch(d / "f");
    ASSERT_EQ(::chmod((d / "f").c_str(), 0640), 0);
    struct stat st{};
    ASSERT_EQ(::stat((d / "f").c_str(), &st), 0);
    Facts f = facts_for(Op::Open, d / "f", caller());
    gather_path_facts(f);
    const Inode& ino = *f.walk.steps.back().inode;
    EXPECT_EQ(ino.mode, st.st_mode);
    EXPECT_EQ(ino.uid, st.st_uid);
    EXPECT_EQ(ino.gid, st.st_gid);
    EXPECT_EQ(ino.ino, st.st_ino);
    EXPECT_EQ(ino.dev, st.st_dev);
    EXPECT_EQ(ino.nlink, st.st_nlink);
    EXPECT_NE(ino.mount_id, 0);
}

TEST(Sysctls, AsProcSysHasThem) {
    std::vector<std::string> notes;
    Sysctls s = read_sysctls(notes);
    EXPECT_TRUE(s.known) << (notes.empty() ? "" : notes.front());
    std::string text;
    ASSERT_EQ(sys::read_all("/proc/sys/fs/protected_hardlinks", text), 0);
    EXPECT_EQ(s.protected_hardlinks, std::stoi(text));
    ASSERT_EQ(sys::read_all("/proc/sys/fs/file-max", text), 0);
    EXPECT_EQ(s.file_max, std::stoull(text));
    EXPECT_GT(s.file_nr, 0u);
}

}  // namespace
}  // namespace fdscope::why
