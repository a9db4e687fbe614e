#include "procfs/parse_lsm.hpp"

#include <gtest/gtest.h>

using fdscope::procfs::parse_lsm_list;

TEST(ParseLsm, InOrder) {
    EXPECT_EQ(parse_lsm_list("lockdown,capability,landlock,bpf"),
              (std::vector<std::string>{"lockdown", "capability", "landlock", "bpf"}));
    EXPECT_EQ(parse_lsm_list("capability,,selinux\n"), (std::vector<std::string>{"capability", "selinux"}));
    EXPECT_TRUE(parse_lsm_list("").empty());
}
