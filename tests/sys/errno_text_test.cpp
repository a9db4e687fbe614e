#include "sys/errno_text.hpp"

#include <cerrno>
#include <cstring>
#include <gtest/gtest.h>

namespace fdscope::sys {
namespace {

TEST(ErrnoText, IsStrerrorsText) { EXPECT_EQ(errno_text(ENOENT), std::strerror(ENOENT)); }

TEST(ErrnoText, NegativeValuesCountAsTheirAbsoluteValue) { EXPECT_EQ(errno_text(-EPERM), errno_text(EPERM)); }

TEST(ErrnoText, ShowsTheNumberWhenAsked) {
    EXPECT_EQ(errno_text(EACCES, ErrnoNumber::Shown), std::string(std::strerror(EACCES)) + " (errno 13)");
    EXPECT_EQ(errno_text(-EINVAL, ErrnoNumber::Shown), std::string(std::strerror(EINVAL)) + " (errno 22)");
}

}  // namespace
}  // namespace fdscope::sys
