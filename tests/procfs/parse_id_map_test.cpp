#include "procfs/parse_id_map.hpp"

#include <gtest/gtest.h>

using fdscope::procfs::is_identity_map;
using fdscope::procfs::parse_id_map;

TEST(ParseIdMap, TheInitialNamespace) {
    auto m = parse_id_map("         0          0 4294967295\n");
    ASSERT_TRUE(m);
    ASSERT_EQ(m->size(), 1u);
    EXPECT_EQ((*m)[0].count, 4294967295u);
    EXPECT_TRUE(is_identity_map(*m));
}

TEST(ParseIdMap, SeveralExtents) {
    auto m = parse_id_map("         0       1000          1\n         1     100000      65536\n");
    ASSERT_TRUE(m);
    ASSERT_EQ(m->size(), 2u);
    EXPECT_EQ((*m)[0].inside, 0u);
    EXPECT_EQ((*m)[0].outside, 1000u);
    EXPECT_EQ((*m)[1].inside, 1u);
    EXPECT_EQ((*m)[1].outside, 100000u);
    EXPECT_EQ((*m)[1].count, 65536u);
    EXPECT_FALSE(is_identity_map(*m));
}

TEST(ParseIdMap, AnUnwrittenMapIsEmpty) {
    auto m = parse_id_map("");
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->empty());
}

TEST(ParseIdMap, NotAMap) {
    EXPECT_FALSE(parse_id_map("0 0\n"));
    EXPECT_FALSE(parse_id_map("0 0 0\n"));
    EXPECT_FALSE(parse_id_map("0 0 1 2\n"));
    EXPECT_FALSE(parse_id_map("a b c\n"));
    EXPECT_FALSE(parse_id_map("0 0 4294967296\n"));
}
