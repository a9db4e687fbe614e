#include "sys/files.hpp"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <set>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace fdscope::sys {
namespace {

// A fresh directory, removed with what is in it.
struct TempDir {
    std::string path;
    TempDir() {
        char name[] = "/tmp/fdscope-sys-XXXXXX";
        path = ::mkdtemp(name);
    }
    ~TempDir() {
        for (const auto& n : names()) {
            const std::string p = path + "/" + n;
            if (::unlink(p.c_str()) != 0) ::rmdir(p.c_str());
        }
        ::rmdir(path.c_str());
    }
    std::set<std::string> names() const {
        std::set<std::string> out;
        if (DIR* d = ::opendir(path.c_str())) {
            while (dirent* e = ::readdir(d))
                if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") out.insert(e->d_name);
            ::closedir(d);
        }
        return out;
    }
};

std::string contents(const std::string& path) {
    std::string out;
    EXPECT_EQ(read_all(path.c_str(), out), 0) << path;
    return out;
}

TEST(ReplaceFile, WritesANewFileWithTheUmasksMode) {
    TempDir dir;
    const std::string path = dir.path + "/chart.svg";
    const mode_t old = ::umask(027);
    EXPECT_EQ(replace_file(path, "<svg/>"), 0);
    ::umask(old);
    EXPECT_EQ(contents(path), "<svg/>");
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u);
    EXPECT_EQ(dir.names(), std::set<std::string>{"chart.svg"});  // no temporary file left
}

TEST(ReplaceFile, ReplacesTheWholeOldContents) {
    TempDir dir;
    const std::string path = dir.path + "/f";
    ASSERT_EQ(replace_file(path, std::string(100000, 'a')), 0);
    ASSERT_EQ(replace_file(path, "short"), 0);
    EXPECT_EQ(contents(path), "short");
    EXPECT_EQ(dir.names(), std::set<std::string>{"f"});
}

TEST(ReplaceFile, AFailedRenameLeavesTheTargetAndNoTemporaryFile) {
    TempDir dir;
    const std::string target = dir.path + "/busy";
    ASSERT_EQ(::mkdir(target.c_str(), 0755), 0);  // rename() of a file over a directory fails
    ASSERT_EQ(::mkdir((target + "/inside").c_str(), 0755), 0);
    EXPECT_EQ(replace_file(target, "text"), EISDIR);
    struct stat st {};
    ASSERT_EQ(::stat(target.c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(dir.names(), std::set<std::string>{"busy"});
    ::rmdir((target + "/inside").c_str());
}

TEST(ReplaceFile, AMissingDirectoryIsTheErrno) {
    EXPECT_EQ(replace_file("/nonexistent-fdscope-dir/f", "x"), ENOENT);
}

TEST(WriteAll, WritesEverythingThroughAPipe) {
    int p[2];
    ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
    EXPECT_EQ(write_all(p[1], "hello"), 0);
    ::close(p[1]);
    char buf[16] = {};
    EXPECT_EQ(::read(p[0], buf, sizeof buf), 5);
    EXPECT_STREQ(buf, "hello");
    ::close(p[0]);
}

TEST(WriteAll, AClosedDescriptorIsTheErrno) { EXPECT_EQ(write_all(-1, "x"), EBADF); }

TEST(ReadAll, AMissingFileIsTheErrno) {
    std::string out = "old";
    EXPECT_EQ(read_all("/nonexistent-fdscope-file", out), ENOENT);
}

}  // namespace
}  // namespace fdscope::sys
