// The walk algorithm on a fake tree: link counting, loops, ".." at the
// root, dangling links, ENOTDIR, trailing slashes, which links each
// operation follows.
#include "why/walker.hpp"

#include <cerrno>
#include <gtest/gtest.h>
#include <map>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace fdscope::why {
namespace {

class FakeTree : public Lookup {
public:
    FakeTree() {
        nodes_.push_back({S_IFDIR | 0755, 0, {}, ""});  // 0: "/"
    }
    std::size_t dir(std::size_t parent, const std::string& name) { return add(parent, name, S_IFDIR | 0755, ""); }
    std::size_t file(std::size_t parent, const std::string& name) { return add(parent, name, S_IFREG | 0644, ""); }
    std::size_t link(std::size_t parent, const std::string& name, const std::string& target) {
        return add(parent, name, S_IFLNK | 0777, target);
    }
    std::size_t cwd_node = 0;
    int lookups = 0;

    LookupAnswer root() override { return answer(0); }
    LookupAnswer cwd() override { return answer(cwd_node); }
    LookupAnswer child(std::size_t d, const std::string& name) override {
        ++lookups;
        const Node& n = nodes_.at(d);
        if (!S_ISDIR(n.mode)) return {ENOTDIR, 0, {}};
        if (name.size() > 255) return {ENAMETOOLONG, 0, {}};
        if (name == ".") return answer(d);
        if (name == "..") return answer(n.parent);
        auto it = n.children.find(name);
        if (it == n.children.end()) return {ENOENT, 0, {}};
        return answer(it->second);
    }
    int readlink(std::size_t l, std::string& target) override {
        target = nodes_.at(l).target;
        return 0;
    }

private:
    struct Node {
        std::uint32_t mode;
        std::size_t parent;
        std::map<std::string, std::size_t> children;
        std::string target;
    };
    std::vector<Node> nodes_;

    std::size_t add(std::size_t parent, const std::string& name, std::uint32_t mode, const std::string& target) {
        nodes_.push_back({mode, parent, {}, target});
        nodes_.at(parent).children[name] = nodes_.size() - 1;
        return nodes_.size() - 1;
    }
    LookupAnswer answer(std::size_t id) {
        LookupAnswer a;
        a.handle = id;
        a.inode.mode = nodes_.at(id).mode;
        a.inode.ino = id + 100;
        a.inode.dev = 1;
        a.inode.mount_id = 7;
        return a;
    }
};

WalkOptions follow() { return {}; }
WalkOptions nofollow() { return {false, false}; }

// A chain l1 -> l2 -> ... -> lN -> file in /c.
void chain(FakeTree& t, int n) {
    std::size_t c = t.dir(0, "c");
    t.file(c, "file");
    for (int i = 1; i <= n; ++i)
        t.link(c, "l" + std::to_string(i), i == n ? "file" : "l" + std::to_string(i + 1));
}

TEST(Walker, FortyLinksResolve) {
    FakeTree t;
    chain(t, 40);
    Walk w = walk_path("/c/l1", follow(), t, "/");
    EXPECT_EQ(w.error, 0) << w.error_detail;
    ASSERT_TRUE(w.complete);
    EXPECT_TRUE(w.last_exists);
    EXPECT_TRUE(S_ISREG(w.steps.back().inode->mode));
    EXPECT_EQ(w.steps.back().links_so_far, 40u);
    EXPECT_EQ(w.steps.back().path, "/c/file");
    EXPECT_EQ(w.parent_path, "/c");
}

TEST(Walker, TheFortyFirstLinkIsEloop) {
    FakeTree t;
    chain(t, 41);
    Walk w = walk_path("/c/l1", follow(), t, "/");
    EXPECT_EQ(w.error, ELOOP);
    EXPECT_FALSE(w.complete);
    EXPECT_EQ(w.steps.back().name, "l41");
    EXPECT_EQ(w.steps.back().links_so_far, 40u);
    EXPECT_FALSE(w.steps.back().followed);
}

TEST(Walker, ALoopIsEloopAfterFortyFollows) {
    FakeTree t;
    t.link(0, "a", "b");
    t.link(0, "b", "/a");
    Walk w = walk_path("/a/x", follow(), t, "/");
    EXPECT_EQ(w.error, ELOOP);
    EXPECT_EQ(w.steps.back().links_so_far, kMaxSymlinks);
}

TEST(Walker, DotDotAtTheRootStaysThere) {
    FakeTree t;
    std::size_t etc = t.dir(0, "etc");
    t.file(etc, "passwd");
    Walk w = walk_path("/../../etc/passwd", follow(), t, "/");
    ASSERT_EQ(w.error, 0) << w.error_detail;
    ASSERT_EQ(w.steps.size(), 5u);
    EXPECT_EQ(w.steps[1].name, "..");
    EXPECT_EQ(w.steps[1].path, "/");
    EXPECT_EQ(w.steps[1].inode->ino, 100u);
    EXPECT_EQ(w.steps[4].path, "/etc/passwd");
}

TEST(Walker, DotDotBelowTheRootGoesUp) {
    FakeTree t;
    std::size_t a = t.dir(0, "a");
    t.dir(a, "b");
    t.file(a, "f");
    Walk w = walk_path("/a/b/../f", follow(), t, "/");
    ASSERT_EQ(w.error, 0);
    EXPECT_EQ(w.steps.back().path, "/a/f");
    EXPECT_TRUE(w.last_exists);
}

TEST(Walker, ADanglingLinkNamesItsTarget) {
    FakeTree t;
    std::size_t d = t.dir(0, "d");
    t.link(d, "cfg", "/etc/app/cfg");
    t.dir(0, "etc");
    Walk w = walk_path("/d/cfg", follow(), t, "/");
    EXPECT_EQ(w.error, ENOENT);  // /etc/app is missing: before the final name
    ASSERT_GE(w.steps.size(), 3u);
    EXPECT_TRUE(w.steps[2].followed);
    EXPECT_EQ(w.steps[2].inode->symlink_target, "/etc/app/cfg");
    EXPECT_EQ(w.steps.back().path, "/etc/app");
    EXPECT_EQ(w.steps.back().lookup_error, ENOENT);
}

TEST(Walker, ADanglingLinkToAMissingFinalNameCompletes) {
    FakeTree t;
    t.dir(0, "etc");
    t.link(0, "cfg", "etc/new");
    Walk w = walk_path("/cfg", follow(), t, "/");
    EXPECT_EQ(w.error, 0);
    EXPECT_TRUE(w.complete);
    EXPECT_FALSE(w.last_exists);
    EXPECT_EQ(w.steps.back().lookup_error, ENOENT);
    EXPECT_EQ(w.steps.back().path, "/etc/new");
    EXPECT_EQ(w.parent_path, "/etc");  // O_CREAT through the link creates /etc/new
}

TEST(Walker, AFileInTheMiddleIsEnotdir) {
    FakeTree t;
    t.file(0, "f");
    Walk w = walk_path("/f/x", follow(), t, "/");
    EXPECT_EQ(w.error, ENOTDIR);
    EXPECT_EQ(w.steps.back().name, "f");
    EXPECT_TRUE(w.steps.back().inode);
    EXPECT_EQ(t.lookups, 1);
}

TEST(Walker, TheTrailingLinkFollowsOnlyWhenAsked) {
    FakeTree t;
    t.file(0, "f");
    t.link(0, "l", "f");
    Walk open = walk_path("/l", follow(), t, "/");
    EXPECT_TRUE(S_ISREG(open.steps.back().inode->mode));
    EXPECT_TRUE(open.steps[1].last && open.steps[1].followed);
    Walk unlink = walk_path("/l", nofollow(), t, "/");
    EXPECT_TRUE(S_ISLNK(unlink.steps.back().inode->mode));
    EXPECT_EQ(unlink.steps.back().inode->symlink_target, "f");
    EXPECT_FALSE(unlink.steps.back().followed);
}

TEST(Walker, ATrailingSlashFollowsForPathLookupsOnly) {
    FakeTree t;
    t.dir(0, "d");
    t.link(0, "l", "d");
    Walk open = walk_path("/l/", WalkOptions{false, true}, t, "/");
    EXPECT_TRUE(open.trailing_slash);
    EXPECT_TRUE(S_ISDIR(open.steps.back().inode->mode));
    Walk rmdir = walk_path("/l/", nofollow(), t, "/");
    EXPECT_TRUE(rmdir.trailing_slash);
    EXPECT_TRUE(S_ISLNK(rmdir.steps.back().inode->mode));
}

TEST(Walker, ATrailingSlashOnAFileIsLeftToTheRules) {
    FakeTree t;
    t.file(0, "f");
    Walk w = walk_path("/f/", follow(), t, "/");
    EXPECT_EQ(w.error, 0);
    EXPECT_TRUE(w.complete);
    EXPECT_TRUE(w.trailing_slash);
    EXPECT_TRUE(S_ISREG(w.steps.back().inode->mode));
}

TEST(Walker, RelativePathsStartAtTheCwd) {
    FakeTree t;
    std::size_t home = t.dir(0, "home");
    t.cwd_node = home;
    t.file(home, "notes");
    Walk w = walk_path("notes", follow(), t, "/home");
    ASSERT_EQ(w.error, 0);
    EXPECT_EQ(w.steps[0].path, "/home");
    EXPECT_EQ(w.steps.back().path, "/home/notes");
    EXPECT_EQ(w.steps.back().dir->ino, home + 100);
    EXPECT_EQ(w.parent->ino, home + 100);
}

TEST(Walker, AnAbsoluteLinkRestartsAtTheRoot) {
    FakeTree t;
    std::size_t a = t.dir(0, "a");
    std::size_t b = t.dir(0, "b");
    t.file(b, "x");
    t.link(a, "to_b", "/b");
    Walk w = walk_path("/a/to_b/x", follow(), t, "/");
    ASSERT_EQ(w.error, 0);
    EXPECT_EQ(w.steps.back().path, "/b/x");
    EXPECT_EQ(w.steps.back().dir->ino, b + 100);
}

TEST(Walker, EachStepCarriesTheDirectoryItWasLookedUpIn) {
    FakeTree t;
    std::size_t a = t.dir(0, "a");
    std::size_t b = t.dir(a, "b");
    t.file(b, "c");
    Walk w = walk_path("/a/b/c", follow(), t, "/");
    ASSERT_EQ(w.steps.size(), 4u);
    EXPECT_FALSE(w.steps[0].dir);
    EXPECT_EQ(w.steps[1].dir->ino, 100u);
    EXPECT_EQ(w.steps[2].dir->ino, a + 100);
    EXPECT_EQ(w.steps[3].dir->ino, b + 100);
    EXPECT_TRUE(w.steps[3].last);
    EXPECT_FALSE(w.steps[2].last);
}

TEST(Walker, ALongNameIsRecordedNotJudged) {
    FakeTree t;
    Walk w = walk_path("/" + std::string(300, 'n'), nofollow(), t, "/");
    EXPECT_EQ(w.error, 0);
    EXPECT_TRUE(w.complete);
    EXPECT_EQ(w.steps.back().lookup_error, ENAMETOOLONG);
    EXPECT_EQ(w.steps.back().name.size(), 300u);
}

TEST(Walker, TheRootAloneAndAnEmptyPath) {
    FakeTree t;
    Walk root = walk_path("//", follow(), t, "/");
    ASSERT_EQ(root.steps.size(), 1u);
    EXPECT_TRUE(root.steps[0].last);
    EXPECT_TRUE(root.last_exists);
    Walk empty = walk_path("", follow(), t, "/");
    EXPECT_EQ(empty.error, ENOENT);
    EXPECT_TRUE(empty.steps.empty());
}

TEST(WalkOptions, PerOperation) {
    Operation op;
    op.op = Op::Open;
    EXPECT_TRUE(walk_options(op).follow_last);
    op.open.nofollow = true;
    EXPECT_FALSE(walk_options(op).follow_last);
    op.open = {};
    op.open.create = op.open.excl = true;
    EXPECT_FALSE(walk_options(op).follow_last);
    for (Op o : {Op::Unlink, Op::Rmdir, Op::Rename, Op::Symlink, Op::Link, Op::Mkdir, Op::BindUnix}) {
        op.op = o;
        EXPECT_FALSE(walk_options(op).follow_last);
        EXPECT_FALSE(walk_options(op).slash_follows);
    }
    for (Op o : {Op::Exec, Op::Chdir, Op::ConnectUnix}) {
        op.op = o;
        EXPECT_TRUE(walk_options(op).follow_last);
    }
}

}  // namespace
}  // namespace fdscope::why
