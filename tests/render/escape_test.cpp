#include "render/escape.hpp"

#include <cctype>
#include <gtest/gtest.h>

#include "support/support.hpp"
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "render/utf8_oracle.hpp"

using fdscope::render::append_json_string;
using fdscope::render::display_width;
using fdscope::render::escape_for_table;
using fdscope::render::fit_columns;
using fdscope::render::truncate_middle;
using namespace fdscope::render::testing;

namespace {

// Inverse of escape_for_table; fails the test on a backslash that is not one
// of the documented escapes, so ambiguity shows up as a failure.
std::string unescape_table(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        if (i + 1 >= s.size()) {
            ADD_FAILURE() << "dangling backslash in " << s;
            return out;
        }
        char e = s[++i];
        if (e == 'n') out += '\n';
        else if (e == 't') out += '\t';
        else if (e == 'r') out += '\r';
        else if (e == '\\') out += '\\';
        else if (e == 'x' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            ADD_FAILURE() << "unknown escape \\" << e << " in " << s;
        }
    }
    return out;
}

// No C0 control, no DEL, valid UTF-8, no C1 control (c2 80..c2 9f).
void expect_terminal_safe(const std::string& out, const std::string& in) {
    for (unsigned char c : fdscope::test::bytes(out)) {
        EXPECT_FALSE(c < 0x20 || c == 0x7f) << "control byte " << int(c) << " for input " << ::testing::PrintToString(in);
    }
    EXPECT_TRUE(is_valid_utf8(out)) << ::testing::PrintToString(in);
    for (std::size_t i = 0; i + 1 < out.size(); ++i) {
        bool c1 = static_cast<unsigned char>(out[i]) == 0xc2 && static_cast<unsigned char>(out[i + 1]) < 0xa0;
        EXPECT_FALSE(c1) << "C1 control for input " << ::testing::PrintToString(in);
    }
}

// What parsing the JSON text must give: valid UTF-8 kept, each byte outside
// a well-formed sequence as the four characters \xHH.
std::string json_expected(std::string_view in, bool& lossy) {
    std::string out;
    lossy = false;
    for (std::size_t i = 0; i < in.size();) {
        std::size_t n = wellformed_length(in, i);
        if (n == 0) {
            out += hex_escape(static_cast<unsigned char>(in[i]));
            lossy = true;
            ++i;
        } else {
            out.append(in.substr(i, n));
            i += n;
        }
    }
    return out;
}

std::string json_of(std::string_view in, bool& lossy) {
    std::string out;
    lossy = false;
    append_json_string(in, out, lossy);
    return out;
}

std::string json_of(std::string_view in) {
    bool lossy = false;
    return json_of(in, lossy);
}

}  // namespace

// ---------------------------------------------------------------- escape_for_table

TEST(EscapeForTable, PrintableAsciiUnchanged) {
    std::string all;
    for (int c = 0x20; c < 0x7f; ++c)
        if (c != '\\') all += static_cast<char>(c);
    EXPECT_EQ(escape_for_table(all), all);
    EXPECT_EQ(escape_for_table(""), "");
    EXPECT_EQ(escape_for_table("/var/log/syslog"), "/var/log/syslog");
}

TEST(EscapeForTable, ValidUtf8Unchanged) {
    EXPECT_EQ(escape_for_table("caf\xc3\xa9"), "caf\xc3\xa9");                         // café
    EXPECT_EQ(escape_for_table("\xe6\x97\xa5\xe6\x9c\xac"), "\xe6\x97\xa5\xe6\x9c\xac");  // 日本
    EXPECT_EQ(escape_for_table("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");                 // 😀
    EXPECT_EQ(escape_for_table("\xc2\xa0"), "\xc2\xa0");                                 // U+00A0, first non-C1
    EXPECT_EQ(escape_for_table("\xef\xbf\xbd"), "\xef\xbf\xbd");                         // U+FFFD
    EXPECT_EQ(escape_for_table("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf");                 // U+10FFFF
    EXPECT_EQ(escape_for_table("\xe2\x80\xa6"), "\xe2\x80\xa6");                         // …
}

TEST(EscapeForTable, CEscapes) {
    EXPECT_EQ(escape_for_table("a\nb"), "a\\nb");
    EXPECT_EQ(escape_for_table("a\tb"), "a\\tb");
    EXPECT_EQ(escape_for_table("a\rb"), "a\\rb");
    EXPECT_EQ(escape_for_table("a\\b"), "a\\\\b");
    EXPECT_EQ(escape_for_table("\\x41"), "\\\\x41");  // a literal backslash never reads as an escape
}

TEST(EscapeForTable, OtherControlsAndDel) {
    EXPECT_EQ(escape_for_table(std::string_view("\0", 1)), "\\x00");
    EXPECT_EQ(escape_for_table("\x01"), "\\x01");
    EXPECT_EQ(escape_for_table("\x07"), "\\x07");
    EXPECT_EQ(escape_for_table("\x08"), "\\x08");
    EXPECT_EQ(escape_for_table("\x0b"), "\\x0b");
    EXPECT_EQ(escape_for_table("\x0c"), "\\x0c");
    EXPECT_EQ(escape_for_table("\x1b[31mred"), "\\x1b[31mred");
    EXPECT_EQ(escape_for_table("\x1f"), "\\x1f");
    EXPECT_EQ(escape_for_table("\x7f"), "\\x7f");
}

TEST(EscapeForTable, InvalidUtf8BytePerByte) {
    EXPECT_EQ(escape_for_table("\xff"), "\\xff");
    EXPECT_EQ(escape_for_table("\xfe"), "\\xfe");
    EXPECT_EQ(escape_for_table("\x80"), "\\x80");                                 // lone continuation
    EXPECT_EQ(escape_for_table("a\xbf" "b"), "a\\xbfb");
    EXPECT_EQ(escape_for_table("ab\xe6\x97"), "ab\\xe6\\x97");                    // truncated at the end
    EXPECT_EQ(escape_for_table("\xf0\x9f\x98"), "\\xf0\\x9f\\x98");               // truncated emoji
    EXPECT_EQ(escape_for_table("\xe6" "a"), "\\xe6" "a");                           // broken by ASCII
    EXPECT_EQ(escape_for_table("\xc0\xaf"), "\\xc0\\xaf");                        // overlong '/'
    EXPECT_EQ(escape_for_table("\xc1\xbf"), "\\xc1\\xbf");                        // overlong
    EXPECT_EQ(escape_for_table("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");               // overlong 3-byte
    EXPECT_EQ(escape_for_table("\xf0\x80\x80\xaf"), "\\xf0\\x80\\x80\\xaf");      // overlong 4-byte
    EXPECT_EQ(escape_for_table("\xed\xa0\x80"), "\\xed\\xa0\\x80");               // surrogate U+D800
    EXPECT_EQ(escape_for_table("\xed\xbf\xbf"), "\\xed\\xbf\\xbf");               // surrogate U+DFFF
    EXPECT_EQ(escape_for_table("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");      // U+110000
    EXPECT_EQ(escape_for_table("\xf5\x80\x80\x80"), "\\xf5\\x80\\x80\\x80");
    // An invalid byte does not swallow the valid sequence after it.
    EXPECT_EQ(escape_for_table("\xff\xc3\xa9"), "\\xff\xc3\xa9");
    EXPECT_EQ(escape_for_table("\xe6\x97\xc3\xa9"), "\\xe6\\x97\xc3\xa9");
}

TEST(EscapeForTable, C1ControlsEscaped) {
    EXPECT_EQ(escape_for_table("\xc2\x80"), "\\xc2\\x80");
    EXPECT_EQ(escape_for_table("\xc2\x85"), "\\xc2\\x85");  // NEL
    EXPECT_EQ(escape_for_table("\xc2\x9b" "31m"), "\\xc2\\x9b" "31m");  // CSI
    EXPECT_EQ(escape_for_table("\xc2\x9f"), "\\xc2\\x9f");
    EXPECT_EQ(escape_for_table("\xc2\xa0"), "\xc2\xa0");
}

TEST(EscapeForTable, AppendsToExistingText) {
    std::string out = "name=";
    escape_for_table("a\nb", out);
    EXPECT_EQ(out, "name=a\\nb");
}

TEST(EscapeForTable, EverySingleByteIsSafeAndReversible) {
    for (int c = 0; c < 256; ++c) {
        std::string in(1, static_cast<char>(c));
        std::string out = escape_for_table(in);
        expect_terminal_safe(out, in);
        EXPECT_EQ(unescape_table(out), in) << c;
        if (c >= 0x80) {
            EXPECT_EQ(out, hex_escape(static_cast<unsigned char>(c))) << c;
        }
    }
}

TEST(EscapeForTable, RandomStringsAreSafeAndReversible) {
    for (const auto& in : random_byte_strings(2000, 40, 12345)) {
        std::string out = escape_for_table(in);
        expect_terminal_safe(out, in);
        EXPECT_EQ(unescape_table(out), in) << ::testing::PrintToString(in);
        if (is_valid_utf8(in) && in.find_first_of(std::string("\\\n\t\r\x7f\0", 6)) == std::string::npos) {
            bool has_control = false;
            for (std::size_t i = 0; i < in.size(); ++i) {
                auto c = static_cast<unsigned char>(in[i]);
                if (c < 0x20 || (c == 0xc2 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) < 0xa0))
                    has_control = true;
            }
            if (!has_control) {
                EXPECT_EQ(out, in);
            }
        }
    }
}

// ---------------------------------------------------------------- append_json_string

TEST(AppendJsonString, ExactEscapes) {
    EXPECT_EQ(json_of("plain"), "plain");
    EXPECT_EQ(json_of("say \"hi\""), "say \\\"hi\\\"");
    EXPECT_EQ(json_of("a\\b"), "a\\\\b");
    EXPECT_EQ(json_of("\n\t\r\b\f"), "\\n\\t\\r\\b\\f");
    EXPECT_EQ(json_of(std::string_view("\0", 1)), "\\u0000");
    EXPECT_EQ(json_of("\x01\x1f"), "\\u0001\\u001f");
    EXPECT_EQ(json_of("\x1b"), "\\u001b");
    EXPECT_EQ(json_of("\x7f"), "\\u007f");
    EXPECT_EQ(json_of("\xc2\x85"), "\\u0085");
    EXPECT_EQ(json_of("\xc2\x9f"), "\\u009f");
    EXPECT_EQ(json_of("/"), "/");
}

TEST(AppendJsonString, ValidUtf8KeptAndNotLossy) {
    for (std::string s : {"caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xc2\xa0"}) {
        bool lossy = false;
        EXPECT_EQ(json_of(s, lossy), s);
        EXPECT_FALSE(lossy) << s;
    }
}

TEST(AppendJsonString, InvalidBytesBecomeTextAndSetLossy) {
    bool lossy = false;
    EXPECT_EQ(json_of("\xff", lossy), "\\\\xff");
    EXPECT_TRUE(lossy);
    EXPECT_EQ(json_of("a\x80" "b", lossy), "a\\\\x80b");
    EXPECT_TRUE(lossy);
    EXPECT_EQ(json_of("\xc0\xaf", lossy), "\\\\xc0\\\\xaf");
    EXPECT_TRUE(lossy);
    EXPECT_EQ(json_of("\xed\xa0\x80", lossy), "\\\\xed\\\\xa0\\\\x80");
    EXPECT_TRUE(lossy);
    EXPECT_EQ(json_of("\xf4\x90\x80\x80", lossy), "\\\\xf4\\\\x90\\\\x80\\\\x80");
    EXPECT_TRUE(lossy);
    EXPECT_EQ(json_of("x\xe6\x97", lossy), "x\\\\xe6\\\\x97");
    EXPECT_TRUE(lossy);
    // Parsed back: the four characters \xHH.
    EXPECT_EQ(nlohmann::json::parse("\"" + json_of("\xff") + "\"").get<std::string>(), "\\xff");
}

TEST(AppendJsonString, LossyIsOnlySetNeverCleared) {
    bool lossy = true;
    std::string out;
    append_json_string("valid", out, lossy);
    EXPECT_TRUE(lossy);
    EXPECT_EQ(out, "valid");
}

TEST(AppendJsonString, EverySingleByteParses) {
    for (int c = 0; c < 256; ++c) {
        std::string in(1, static_cast<char>(c));
        bool lossy = false;
        std::string text = "\"" + json_of(in, lossy) + "\"";
        nlohmann::json j;
        ASSERT_NO_THROW(j = nlohmann::json::parse(text)) << "byte " << c << ": " << text;
        ASSERT_TRUE(j.is_string());
        bool expect_lossy = false;
        EXPECT_EQ(j.get<std::string>(), json_expected(in, expect_lossy)) << c;
        EXPECT_EQ(lossy, expect_lossy) << c;
        EXPECT_EQ(lossy, c >= 0x80) << c;
    }
}

TEST(AppendJsonString, RandomStringsParseAndRoundTrip) {
    int lossy_count = 0, exact_count = 0;
    for (const auto& in : random_byte_strings(2000, 40, 4242)) {
        bool lossy = false;
        std::string text = "\"" + json_of(in, lossy) + "\"";
        nlohmann::json j;
        ASSERT_NO_THROW(j = nlohmann::json::parse(text)) << ::testing::PrintToString(in) << " -> " << text;
        ASSERT_TRUE(j.is_string());
        bool expect_lossy = false;
        std::string expected = json_expected(in, expect_lossy);
        EXPECT_EQ(j.get<std::string>(), expected) << ::testing::PrintToString(in);
        EXPECT_EQ(lossy, expect_lossy) << ::testing::PrintToString(in);
        if (!expect_lossy) {
            EXPECT_EQ(j.get<std::string>(), in);  // valid UTF-8 round-trips exactly
            ++exact_count;
        } else {
            ++lossy_count;
        }
        // Raw control bytes never reach the JSON text.
        for (unsigned char c : fdscope::test::bytes(text)) {
            EXPECT_FALSE(c < 0x20) << ::testing::PrintToString(in);
        }
    }
    // The generator must exercise both paths.
    EXPECT_GT(lossy_count, 100);
    EXPECT_GT(exact_count, 100);
}

TEST(AppendJsonString, ValidRandomUtf8RoundTrips) {
    // Random code points (no surrogates), encoded by nlohmann, must come back unchanged.
    std::mt19937 rng(777);
    std::uniform_int_distribution<std::uint32_t> cp(0, 0x10ffff);
    std::uniform_int_distribution<int> len(0, 40);
    for (int n = 0; n < 2000; ++n) {
        std::u32string u;
        for (int k = len(rng); k > 0; --k) {
            std::uint32_t c = cp(rng);
            if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
            u += static_cast<char32_t>(c);
        }
        std::string in;
        for (char32_t c : u) {
            if (c < 0x80) in += static_cast<char>(c);
            else if (c < 0x800) in += static_cast<char>(0xc0 | (c >> 6)), in += static_cast<char>(0x80 | (c & 0x3f));
            else if (c < 0x10000)
                in += static_cast<char>(0xe0 | (c >> 12)), in += static_cast<char>(0x80 | ((c >> 6) & 0x3f)),
                    in += static_cast<char>(0x80 | (c & 0x3f));
            else
                in += static_cast<char>(0xf0 | (c >> 18)), in += static_cast<char>(0x80 | ((c >> 12) & 0x3f)),
                    in += static_cast<char>(0x80 | ((c >> 6) & 0x3f)), in += static_cast<char>(0x80 | (c & 0x3f));
        }
        ASSERT_TRUE(is_valid_utf8(in));
        bool lossy = false;
        std::string text = "\"" + json_of(in, lossy) + "\"";
        EXPECT_FALSE(lossy);
        nlohmann::json j;
        ASSERT_NO_THROW(j = nlohmann::json::parse(text));
        EXPECT_EQ(j.get<std::string>(), in);
    }
}

// ---------------------------------------------------------------- display_width / truncate_middle

// Columns as a terminal draws them (wcwidth): wide CJK and emoji take two,
// combining marks and zero-width characters none. fmt's padding counts
// U+1F680 and combining marks as one column each: tables padded by it
// went out of line.
TEST(DisplayWidth, TerminalColumns) {
    EXPECT_EQ(display_width(""), 0u);
    EXPECT_EQ(display_width("abc"), 3u);
    EXPECT_EQ(display_width("caf\xc3\xa9"), 4u);
    EXPECT_EQ(display_width("\xe6\x97\xa5\xe6\x9c\xac"), 4u);      // 日本
    EXPECT_EQ(display_width("\xf0\x9f\x98\x80"), 2u);              // 😀
    EXPECT_EQ(display_width("\xf0\x9f\x9a\x80"), 2u);              // 🚀
    EXPECT_EQ(display_width("\xe2\x80\xa6"), 1u);                   // …
    EXPECT_EQ(display_width("e\xcc\x81"), 1u);                       // e + combining acute
    EXPECT_EQ(display_width("a\xe2\x80\x8b" "b"), 2u);              // zero-width space
    EXPECT_EQ(display_width("a\xf0\x9f\x98\x80" "b\xc3\xa9"), 5u);
    EXPECT_EQ(display_width("\xff"), 1u) << "a stray byte (never left by escape_for_table)";
}

TEST(FitColumns, ExactlyThatManyColumns) {
    EXPECT_EQ(fit_columns("ab", 4), "ab  ");
    EXPECT_EQ(fit_columns("abcdefghij", 5), "ab\xe2\x80\xa6ij");
    EXPECT_EQ(fit_columns("\xe6\x97\xa5\xe6\x9c\xac", 6), "\xe6\x97\xa5\xe6\x9c\xac  ");
    EXPECT_EQ(fit_columns("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4), "\xe2\x80\xa6\xe8\xaa\x9e ") << "…語 and a space";
    EXPECT_EQ(fit_columns("e\xcc\x81", 3), "e\xcc\x81  ");
}

TEST(TruncateMiddle, ShortEnoughUnchanged) {
    EXPECT_EQ(truncate_middle("abcdef", 6), "abcdef");
    EXPECT_EQ(truncate_middle("abcdef", 100), "abcdef");
    EXPECT_EQ(truncate_middle("", 0), "");
    EXPECT_EQ(truncate_middle("", 1), "");
    EXPECT_EQ(truncate_middle("\xe6\x97\xa5\xe6\x9c\xac", 4), "\xe6\x97\xa5\xe6\x9c\xac");  // 6 bytes, 4 columns
    EXPECT_EQ(truncate_middle("\xe6\x97\xa5\xe6\x9c\xac", 3), "\xe2\x80\xa6\xe6\x9c\xac");  // …本
}

TEST(TruncateMiddle, ExactAscii) {
    EXPECT_EQ(truncate_middle("abcdefghij", 9), "abcd\xe2\x80\xa6ghij");
    EXPECT_EQ(truncate_middle("abcdefghij", 6), "ab\xe2\x80\xa6hij");
    EXPECT_EQ(truncate_middle("abcdefghij", 5), "ab\xe2\x80\xa6ij");
    EXPECT_EQ(truncate_middle("abcdefghij", 3), "a\xe2\x80\xa6j");
    EXPECT_EQ(truncate_middle("abcdefghij", 2), "\xe2\x80\xa6j");
    EXPECT_EQ(truncate_middle("/very/long/path/file.txt", 12), "/very\xe2\x80\xa6le.txt");
}

TEST(TruncateMiddle, WidthZeroAndOne) {
    EXPECT_EQ(truncate_middle("abc", 0), "");
    EXPECT_EQ(truncate_middle("abc", 1), "\xe2\x80\xa6");
    EXPECT_EQ(truncate_middle("\xe6\x97\xa5\xe6\x9c\xac", 1), "\xe2\x80\xa6");
    EXPECT_EQ(truncate_middle("a", 1), "a");
    EXPECT_EQ(truncate_middle("a", 0), "");
}

TEST(TruncateMiddle, ExactMultibyte) {
    // 日本語テキスト: 7 wide code points, 14 columns, 21 bytes.
    const std::string s = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88";
    EXPECT_EQ(truncate_middle(s, 7), "\xe6\x97\xa5\xe2\x80\xa6\xe3\x82\xb9\xe3\x83\x88");  // 日…スト
    EXPECT_EQ(truncate_middle(s, 5), "\xe6\x97\xa5\xe2\x80\xa6\xe3\x83\x88");              // 日…ト
    EXPECT_EQ(truncate_middle(s, 4), "\xe2\x80\xa6\xe3\x83\x88") << "a column short: 日 would not fit";
    // Emoji at the cut points.
    const std::string e = "\xf0\x9f\x98\x80\xf0\x9f\x98\x81\xf0\x9f\x98\x82\xf0\x9f\x98\x83\xf0\x9f\x98\x84";
    EXPECT_EQ(truncate_middle(e, 5), "\xf0\x9f\x98\x80\xe2\x80\xa6\xf0\x9f\x98\x84");
}

TEST(TruncateMiddle, EveryWidthGivesExactCodePointsOnBoundaries) {
    const std::vector<std::string> inputs = {
        "abcdefghijklmnopqrstuvwxyz",
        "/home/\xc3\xa9l\xc3\xa8ve/\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x98\x80/file-\xc3\xa9t\xc3\xa9.txt",
        "\xf0\x9f\x98\x80\xe6\x97\xa5" "a\xc3\xa9\xf0\x9f\x98\x81\xe6\x9c\xac" "b",
    };
    for (const auto& s : inputs) {
        std::size_t full = display_width(s);
        for (std::size_t w = 0; w <= full + 2; ++w) {
            std::string t = truncate_middle(s, w);
            EXPECT_TRUE(is_valid_utf8(t)) << s << " w=" << w;
            if (w >= full) {
                EXPECT_EQ(t, s) << w;
                continue;
            }
            // Wide characters cut on whole code points: at most one column short.
            EXPECT_LE(display_width(t), w) << s << " w=" << w;
            EXPECT_GE(display_width(t) + 1, w) << s << " w=" << w;
            if (w == 0) {
                EXPECT_EQ(t, "");
                continue;
            }
            auto dots = t.find("\xe2\x80\xa6");
            ASSERT_NE(dots, std::string::npos) << s << " w=" << w;
            // Head is a prefix, tail a suffix, and the head is never longer than the tail.
            std::string head = t.substr(0, dots), tail = t.substr(dots + 3);
            EXPECT_EQ(s.compare(0, head.size(), head), 0) << w;
            EXPECT_TRUE(s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0) << w;
            EXPECT_EQ(display_width(head) + 1 + display_width(tail), display_width(t));
            EXPECT_LE(display_width(head), (w - 1) / 2) << "the head takes at most half";
            EXPECT_LE(display_width(tail), w - 1 - display_width(head));
        }
    }
}
