#include "procfs/text.hpp"

#include <gtest/gtest.h>

namespace text = fdscope::procfs::text;
using namespace std::literals;

TEST(Text, NextLine) {
    std::string_view rest = "a\n\nb";
    EXPECT_EQ(text::next_line(rest), "a");
    EXPECT_EQ(text::next_line(rest), "");
    EXPECT_EQ(text::next_line(rest), "b");
    EXPECT_TRUE(rest.empty());
    EXPECT_EQ(text::next_line(rest), "");
}

TEST(Text, NextToken) {
    std::string_view rest = " \tab  c\t";
    EXPECT_EQ(text::next_token(rest), "ab");
    EXPECT_EQ(text::next_token(rest), "c");
    EXPECT_EQ(text::next_token(rest), "");
    EXPECT_EQ(text::next_token(rest), "");
}

TEST(Text, ToNum) {
    EXPECT_EQ(text::to_num<int>("-5"), -5);
    EXPECT_EQ(text::to_num<unsigned>("ff", 16), 255u);
    EXPECT_EQ(text::to_num<unsigned>("0777", 8), 0777u);
    EXPECT_FALSE(text::to_num<unsigned>("-5"));
    EXPECT_FALSE(text::to_num<unsigned>(""));
    EXPECT_FALSE(text::to_num<unsigned>("5 "));
    EXPECT_FALSE(text::to_num<unsigned char>("256"));
}

TEST(Text, KeyValues) {
    text::KeyValues kv("inotify wd:1e ino: 5  lone x: :y");
    std::string_view k, v;
    ASSERT_TRUE(kv.next(k, v));
    EXPECT_EQ(k, "wd");
    EXPECT_EQ(v, "1e");
    ASSERT_TRUE(kv.next(k, v));
    EXPECT_EQ(k, "ino");
    EXPECT_EQ(v, "5");
    ASSERT_TRUE(kv.next(k, v));
    EXPECT_EQ(k, "x");
    EXPECT_EQ(v, ":y");
    EXPECT_FALSE(kv.next(k, v));
}

TEST(Text, DecodeOctalEscapes) {
    EXPECT_EQ(text::decode_octal_escapes("a\\040b\\011\\012\\134"), "a b\t\n\\");
    EXPECT_EQ(text::decode_octal_escapes("\\"), "\\");
    EXPECT_EQ(text::decode_octal_escapes("\\04"), "\\04");
    EXPECT_EQ(text::decode_octal_escapes("\\000"), "\0"sv);
}

TEST(Text, StripDeleted) {
    std::string_view s = "x (deleted)";
    EXPECT_TRUE(text::strip_deleted(s));
    EXPECT_EQ(s, "x");
    s = "(deleted)";
    EXPECT_FALSE(text::strip_deleted(s));
    s = " (deleted)";
    EXPECT_TRUE(text::strip_deleted(s));
    EXPECT_EQ(s, "");
}
