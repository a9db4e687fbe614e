// Build-id text and the interning stack table.
#include "model/stack.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace fdscope {
namespace {

RawFrame frame(std::uint64_t offset, std::string module = "/usr/bin/app", std::string_view id_hex = "0a1b") {
    RawFrame f;
    f.build_id = *build_id_from_hex(id_hex);
    f.offset = offset;
    f.module = std::move(module);
    return f;
}

TEST(BuildIdText, HexRoundTrip) {
    auto id = build_id_from_hex("00ff10Ab");
    ASSERT_TRUE(id);
    EXPECT_EQ(id->size, 4);
    EXPECT_EQ(id->bytes[0], 0x00);
    EXPECT_EQ(id->bytes[1], 0xff);
    EXPECT_EQ(id->bytes[3], 0xab);
    EXPECT_EQ(build_id_hex(*id), "00ff10ab");
}

TEST(BuildIdText, RejectsOddLengthBadDigitsAndTooLong) {
    EXPECT_FALSE(build_id_from_hex("abc"));
    EXPECT_FALSE(build_id_from_hex("zz"));
    EXPECT_FALSE(build_id_from_hex(std::string(42, 'a')));
    auto longest = build_id_from_hex(std::string(40, 'a'));
    ASSERT_TRUE(longest);
    EXPECT_EQ(longest->size, 20);
    EXPECT_TRUE(build_id_from_hex("")->empty());
}

TEST(BuildIdText, EqualityLooksOnlyAtTheUsedBytes) {
    BuildId a = *build_id_from_hex("0102");
    BuildId b = *build_id_from_hex("0102");
    b.bytes[5] = 9;  // beyond size: not part of the id
    EXPECT_EQ(a, b);
    EXPECT_FALSE(a == *build_id_from_hex("010203"));
    std::vector<std::uint8_t> raw(21, 1);
    EXPECT_FALSE(build_id_from_bytes(raw));
}

TEST(StackTable, SameSequenceSameIdInOrderOfFirstAppearance) {
    StackTable t;
    std::vector<RawFrame> a = {frame(0x10), frame(0x20)};
    std::vector<RawFrame> b = {frame(0x10), frame(0x30)};
    EXPECT_EQ(t.intern(a), 1u);
    EXPECT_EQ(t.intern(b), 2u);
    EXPECT_EQ(t.intern(a), 1u);
    EXPECT_EQ(t.size(), 2u);
    ASSERT_EQ(t.frames(2).size(), 2u);
    EXPECT_EQ(t.frames(2)[1].offset, 0x30u);
}

TEST(StackTable, OrderBuildIdAndModuleAllMatter) {
    StackTable t;
    std::vector<RawFrame> ab = {frame(0x10), frame(0x20)};
    std::vector<RawFrame> ba = {frame(0x20), frame(0x10)};
    std::vector<RawFrame> other_id = {frame(0x10, "/usr/bin/app", "0a1c"), frame(0x20)};
    std::vector<RawFrame> other_path = {frame(0x10, "/opt/app"), frame(0x20)};
    std::vector<RawFrame> prefix = {frame(0x10)};
    StackId ids[] = {t.intern(ab), t.intern(ba), t.intern(other_id), t.intern(other_path), t.intern(prefix)};
    EXPECT_EQ(ids[0], 1u);
    EXPECT_EQ(ids[1], 2u);
    EXPECT_EQ(ids[2], 3u);
    EXPECT_EQ(ids[3], 4u);
    EXPECT_EQ(ids[4], 5u);
}

TEST(StackTable, EmptyStackIsNoStackAndUnknownIdsHaveNoFrames) {
    StackTable t;
    EXPECT_EQ(t.intern({}), kNoStack);
    EXPECT_EQ(t.size(), 0u);
    EXPECT_TRUE(t.frames(kNoStack).empty());
    EXPECT_TRUE(t.frames(7).empty());
}

TEST(StackTable, FramesStayValidWhileTheTableGrows) {
    StackTable t;
    std::vector<RawFrame> first = {frame(1)};
    StackId id = t.intern(first);
    auto view = t.frames(id);
    for (std::uint64_t i = 2; i < 2000; ++i) {
        std::vector<RawFrame> s = {frame(i)};
        t.intern(s);
    }
    EXPECT_EQ(view.data(), t.frames(id).data());
    EXPECT_EQ(t.frames(id)[0].offset, 1u);
    EXPECT_EQ(t.frames(1500)[0].offset, 1500u);  // offset i got id i
}

}  // namespace
}  // namespace fdscope
