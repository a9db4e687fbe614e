// The reserved-blocks owner of a real ext4 image, made with mkfs.ext4 and
// given an owner with tune2fs, read as a file and as a loop device.
#include "why/reserved_blocks.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/support.hpp"

namespace fdscope::why {
namespace {

class Ext4Image : public ::testing::Test {
protected:
    void SetUp() override {
        if (!test::have_tool("mkfs.ext4") || !test::have_tool("tune2fs")) GTEST_SKIP() << "mkfs.ext4/tune2fs missing";
        char tmpl[] = "/tmp/fdscope-ext4-XXXXXX";
        int fd = ::mkstemp(tmpl);
        ASSERT_GE(fd, 0);
        ::close(fd);
        image_ = tmpl;
        ASSERT_EQ(::truncate(image_.c_str(), 8 << 20), 0);
        auto mk = test::run({"mkfs.ext4", "-q", "-F", "-m", "50", image_});
        ASSERT_EQ(mk.status, 0) << mk.err;
        auto tune = test::run({"tune2fs", "-r", "1000", "-u", "1234", "-g", "2345", image_});
        ASSERT_EQ(tune.status, 0) << tune.err;
    }
    void TearDown() override {
        if (!loop_.empty()) test::run({"losetup", "-d", loop_});
        if (!image_.empty()) ::unlink(image_.c_str());
    }
    std::string image_, loop_;
};

TEST_F(Ext4Image, SuperblockOfAnImage) {
    std::string error;
    auto r = read_ext4_reserved(image_, error);
    ASSERT_TRUE(r) << error;
    EXPECT_EQ(r->resuid, 1234u);
    EXPECT_EQ(r->resgid, 2345u);
    EXPECT_EQ(r->reserved_blocks, 1000u);
}

TEST_F(Ext4Image, ThroughItsLoopDevice) {
    if (!test::is_root() || !test::have_tool("losetup")) GTEST_SKIP() << "needs root and losetup";
    auto lo = test::run({"losetup", "-f", "--show", image_});
    if (lo.status != 0) GTEST_SKIP() << "no loop device: " << lo.err;
    loop_ = lo.out.substr(0, lo.out.find('\n'));
    struct stat st {};
    ASSERT_EQ(::stat(loop_.c_str(), &st), 0);
    MountFacts m;
    m.fstype = "ext4";
    m.source = loop_;
    m.mount_point = "/mnt/test";
    std::vector<std::string> unreadable;
    gather_reserved_blocks(m, st.st_rdev, unreadable);
    EXPECT_TRUE(unreadable.empty()) << unreadable.front();
    EXPECT_EQ(m.reserved_uid, 1234u);
    EXPECT_EQ(m.reserved_gid, 2345u);
}

TEST(WhyReservedBlocks, NotExt4) {
    std::string error;
    EXPECT_FALSE(read_ext4_reserved("/proc/self/status", error));
    EXPECT_FALSE(error.empty());
    MountFacts m;
    m.fstype = "tmpfs";
    std::vector<std::string> unreadable;
    gather_reserved_blocks(m, 0, unreadable);
    EXPECT_FALSE(m.reserved_uid);
    EXPECT_TRUE(unreadable.empty());
}

}  // namespace
}  // namespace fdscope::why
