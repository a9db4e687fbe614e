#include "procfs/parse_ext4_super.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace fdscope::procfs;

namespace {
std::vector<unsigned char> super_with(std::uint16_t magic, std::uint16_t uid, std::uint16_t gid) {
    std::vector<unsigned char> b(kExt4SuperSize);
    b[0x38] = static_cast<unsigned char>(magic & 0xff);
    b[0x39] = static_cast<unsigned char>(magic >> 8);
    b[0x50] = static_cast<unsigned char>(uid & 0xff);
    b[0x51] = static_cast<unsigned char>(uid >> 8);
    b[0x52] = static_cast<unsigned char>(gid & 0xff);
    b[0x53] = static_cast<unsigned char>(gid >> 8);
    b[0x08] = 0x00;
    b[0x09] = 0x10;  // 4096 reserved blocks
    return b;
}
}  // namespace

TEST(ParseExt4Super, ReservedOwner) {
    auto r = parse_ext4_reserved(super_with(0xEF53, 1234, 0xFFFE));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->resuid, 1234u);
    EXPECT_EQ(r->resgid, 0xFFFEu);
    EXPECT_EQ(r->reserved_blocks, 4096u);
}

TEST(ParseExt4Super, HighBitsOnlyWith64bit) {
    auto b = super_with(0xEF53, 0, 0);
    b[0x154] = 1;
    EXPECT_EQ(parse_ext4_reserved(b)->reserved_blocks, 4096u);
    b[0x60] = 0x80;
    EXPECT_EQ(parse_ext4_reserved(b)->reserved_blocks, (std::uint64_t{1} << 32) + 4096u);
}

TEST(ParseExt4Super, NotExt4) {
    EXPECT_FALSE(parse_ext4_reserved(super_with(0x1234, 0, 0)));
    EXPECT_FALSE(parse_ext4_reserved(std::vector<unsigned char>(100)));
}
