#include <gtest/gtest.h>

#include "procfs/parse_limits.hpp"

using fdscope::kUnlimited;
using fdscope::procfs::parse_limit;

namespace {
const char* kLimits =
    "Limit                     Soft Limit           Hard Limit           Units     \n"
    "Max file size             10                   unlimited            bytes     \n"
    "Max processes             63204                63204                processes \n"
    "Max open files            33                   44                   files     \n";
}

TEST(ParseLimit, ByName) {
    auto fsize = parse_limit(kLimits, "Max file size");
    ASSERT_TRUE(fsize);
    EXPECT_EQ(fsize->soft, 10u);
    EXPECT_EQ(fsize->hard, kUnlimited);
    auto nproc = parse_limit(kLimits, "Max processes");
    ASSERT_TRUE(nproc);
    EXPECT_EQ(nproc->soft, 63204u);
    auto nofile = parse_limit(kLimits, "Max open files");
    ASSERT_TRUE(nofile);
    EXPECT_EQ(nofile->hard, 44u);
    EXPECT_FALSE(parse_limit(kLimits, "Max locked memory"));
    EXPECT_FALSE(parse_limit(kLimits, "Max file"));  // a prefix of a name is not the name
}
