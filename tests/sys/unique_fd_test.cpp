#include "sys/unique_fd.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <utility>

namespace fdscope::sys {
namespace {

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

int open_null() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

TEST(UniqueFd, ClosesWhenDestroyed) {
    int raw = -1;
    {
        UniqueFd fd(open_null());
        raw = fd.get();
        ASSERT_TRUE(fd);
        EXPECT_TRUE(is_open(raw));
    }
    EXPECT_FALSE(is_open(raw));
}

TEST(UniqueFd, MoveTransfersOwnership) {
    UniqueFd a(open_null());
    const int raw = a.get();
    UniqueFd b(std::move(a));
    EXPECT_FALSE(a);
    EXPECT_EQ(a.get(), -1);
    EXPECT_EQ(b.get(), raw);
    EXPECT_TRUE(is_open(raw));
}

TEST(UniqueFd, MoveAssignClosesTheOldDescriptor) {
    UniqueFd a(open_null()), b(open_null());
    const int old = a.get(), moved = b.get();
    a = std::move(b);
    EXPECT_FALSE(is_open(old));
    EXPECT_EQ(a.get(), moved);
    EXPECT_TRUE(is_open(moved));
    EXPECT_FALSE(b);
}

TEST(UniqueFd, ReleaseKeepsTheDescriptorOpen) {
    int raw = -1;
    {
        UniqueFd fd(open_null());
        raw = fd.release();
        EXPECT_FALSE(fd);
    }
    EXPECT_TRUE(is_open(raw));
    ::close(raw);
}

TEST(UniqueFd, DefaultAndFailedOpenHoldNothing) {
    EXPECT_FALSE(UniqueFd());
    EXPECT_FALSE(UniqueFd(::open("/nonexistent/fdscope", O_RDONLY)));
}

}  // namespace
}  // namespace fdscope::sys
