#include "procfs/parse_slabinfo.hpp"

#include <gtest/gtest.h>

#include "testdata.hpp"

using fdscope::procfs::parse_slab_active;
using fdscope::procfs::testing::sample;

TEST(ParseSlabinfo, RealSampleFilpNotBfilp) {
    const std::string text = sample("slabinfo");
    EXPECT_EQ(parse_slab_active(text, "filp"), 483u);
    EXPECT_EQ(parse_slab_active(text, "bfilp"), 0u);
    EXPECT_EQ(parse_slab_active(text, "task_struct"), 98u);
}

TEST(ParseSlabinfo, MissingCacheHeaderOrNumber) {
    EXPECT_FALSE(parse_slab_active("slabinfo - version: 2.1\nkmalloc-192 1 2\n", "filp"));
    EXPECT_FALSE(parse_slab_active("filp 483 483\n", "filp")) << "not slabinfo without its header";
    EXPECT_FALSE(parse_slab_active("slabinfo - version: 2.1\nfilp\n", "filp"));
    EXPECT_FALSE(parse_slab_active("slabinfo - version: 2.1\nfilp x 483\n", "filp"));
    EXPECT_EQ(parse_slab_active("slabinfo - version: 2.1\nfilp\t7\t9", "filp"), 7u) << "tabs, no final newline";
    EXPECT_FALSE(parse_slab_active("", "filp"));
}
