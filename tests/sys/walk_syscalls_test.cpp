// The syscalls the why walk is made of: openat2 with RESOLVE_* flags,
// statx of an O_PATH fd, prlimit of another process, the user database.
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/openat2.h>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys/openat2.hpp"
#include "sys/rlimit.hpp"
#include "sys/statx.hpp"
#include "sys/user_db.hpp"

namespace fdscope::sys {
namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/fdscope-walk-XXXXXX";
        path = ::mkdtemp(tmpl) ? tmpl : "";
    }
    ~TempDir() {
        for (const char* n : {"link", "abs", "file"}) ::unlinkat(AT_FDCWD, (path + "/" + n).c_str(), 0);
        ::rmdir((path + "/sub").c_str());
        ::rmdir(path.c_str());
    }
};

TEST(Openat2, OpensASymlinkItselfWithNofollowAndPath) {
    TempDir d;
    ASSERT_FALSE(d.path.empty());
    ASSERT_EQ(::symlink("file", (d.path + "/link").c_str()), 0);
    int err = -1;
    UniqueFd dir = openat2(AT_FDCWD, d.path.c_str(), O_PATH, 0, err);
    ASSERT_TRUE(dir) << err;
    UniqueFd link = openat2(dir.get(), "link", O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS, err);
    ASSERT_TRUE(link) << err;
    struct statx stx{};
    ASSERT_EQ(statx_fd(link.get(), STATX_BASIC_STATS | STATX_MNT_ID, stx), 0);
    EXPECT_TRUE(S_ISLNK(stx.stx_mode));
    EXPECT_TRUE(stx.stx_mask & STATX_MNT_ID);
}

TEST(Openat2, InRootKeepsAnAbsoluteLinkInside) {
    TempDir d;
    ASSERT_EQ(::mkdir((d.path + "/sub").c_str(), 0755), 0);
    ASSERT_EQ(::symlink("/sub", (d.path + "/abs").c_str()), 0);
    int err = -1;
    UniqueFd root = openat2(AT_FDCWD, d.path.c_str(), O_PATH, 0, err);
    ASSERT_TRUE(root);
    UniqueFd in = openat2(root.get(), "abs", O_PATH, RESOLVE_IN_ROOT, err);
    ASSERT_TRUE(in) << err;
    struct statx a{};
    ASSERT_EQ(statx_fd(in.get(), STATX_INO, a), 0);
    struct stat st{};
    ASSERT_EQ(::stat((d.path + "/sub").c_str(), &st), 0);
    EXPECT_EQ(a.stx_ino, st.st_ino);
}

TEST(Openat2, ReportsTheErrno) {
    int err = 0;
    UniqueFd none = openat2(AT_FDCWD, "/nonexistent-fdscope", O_PATH, 0, err);
    EXPECT_FALSE(none);
    EXPECT_EQ(err, ENOENT);
}

TEST(Statx, ReportsEbadf) {
    struct statx stx{};
    EXPECT_EQ(statx_fd(-1, STATX_BASIC_STATS, stx), EBADF);
}

TEST(ProcessRlimit, ReadsAChildsLimit) {
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        struct rlimit rl{17, 19};
        ::setrlimit(RLIMIT_NOFILE, &rl);
        ::close(ready[0]);
        char c = 'R';
        (void)!::write(ready[1], &c, 1);
        ::pause();
        ::_exit(0);
    }
    ::close(ready[1]);
    char c = 0;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    ::close(ready[0]);
    struct rlimit rl{};
    EXPECT_EQ(process_rlimit(pid, RLIMIT_NOFILE, rl), 0);
    EXPECT_EQ(rl.rlim_cur, 17u);
    EXPECT_EQ(rl.rlim_max, 19u);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    EXPECT_EQ(process_rlimit(pid, RLIMIT_NOFILE, rl), ESRCH);
}

TEST(UserDb, GroupNames) {
    auto root = group_by_gid(0);
    ASSERT_TRUE(root);
    EXPECT_EQ(*root, "root");
    EXPECT_FALSE(group_by_gid(4000000000u));
}

TEST(UserDb, RootAndNobody) {
    auto root = user_by_name("root");
    ASSERT_TRUE(root);
    EXPECT_EQ(root->uid, 0u);
    auto again = user_by_uid(0);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->name, "root");
    auto nobody = user_by_name("nobody");
    if (!nobody) GTEST_SKIP() << "no user nobody here";
    auto groups = login_groups(nobody->name, nobody->gid);
    ASSERT_FALSE(groups.empty());
    EXPECT_NE(std::find(groups.begin(), groups.end(), nobody->gid), groups.end());
    EXPECT_FALSE(user_by_name("no-such-user-fdscope"));
}

}  // namespace
}  // namespace fdscope::sys
