// An independent UTF-8 validator for the render tests, written from the
// RFC 3629 table of well-formed byte sequences (not from escape.cpp), plus
// random byte strings that mix raw bytes with interesting sequences, and
// the width a terminal gives a line.
#pragma once
#include <cstddef>
#include <cstdlib>
#include <locale.h>
#include <wchar.h>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace fdscope::render::testing {

// Length of the well-formed sequence starting at s[i], 0 if none.
inline std::size_t wellformed_length(std::string_view s, std::size_t i) {
    auto at = [&](std::size_t k) -> int { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : -1; };
    auto in = [](int b, int lo, int hi) { return b >= lo && b <= hi; };
    int b0 = at(0);
    if (in(b0, 0x00, 0x7f)) return 1;
    if (in(b0, 0xc2, 0xdf)) return in(at(1), 0x80, 0xbf) ? 2 : 0;
    if (b0 == 0xe0) return in(at(1), 0xa0, 0xbf) && in(at(2), 0x80, 0xbf) ? 3 : 0;
    if (in(b0, 0xe1, 0xec) || in(b0, 0xee, 0xef)) return in(at(1), 0x80, 0xbf) && in(at(2), 0x80, 0xbf) ? 3 : 0;
    if (b0 == 0xed) return in(at(1), 0x80, 0x9f) && in(at(2), 0x80, 0xbf) ? 3 : 0;
    if (b0 == 0xf0) return in(at(1), 0x90, 0xbf) && in(at(2), 0x80, 0xbf) && in(at(3), 0x80, 0xbf) ? 4 : 0;
    if (in(b0, 0xf1, 0xf3))
        return in(at(1), 0x80, 0xbf) && in(at(2), 0x80, 0xbf) && in(at(3), 0x80, 0xbf) ? 4 : 0;
    if (b0 == 0xf4) return in(at(1), 0x80, 0x8f) && in(at(2), 0x80, 0xbf) && in(at(3), 0x80, 0xbf) ? 4 : 0;
    return 0;
}

inline bool is_valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = wellformed_length(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

// Terminal columns of a valid UTF-8 line as the C library counts them in a
// UTF-8 locale (what terminals follow), -1 when it holds a non-printable.
inline int terminal_columns(const std::string& s) {
    const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
    if (!utf8) return -1;
    const locale_t was = uselocale(utf8);
    std::vector<wchar_t> wide(s.size() + 1);
    const std::size_t n = mbstowcs(wide.data(), s.c_str(), wide.size());
    const int w = n == static_cast<std::size_t>(-1) ? -1 : wcswidth(wide.data(), n);
    uselocale(was);
    freelocale(utf8);
    return w;
}

inline std::string hex_escape(unsigned char c) {
    static const char kHex[] = "0123456789abcdef";
    return std::string("\\x") + kHex[c >> 4] + kHex[c & 15];
}

// Byte strings of 0..max_len pieces; a piece is a random byte or one of a
// pool of sequences that matter to escaping (valid multibyte, C1, surrogates,
// overlongs, quotes, backslashes, controls).
inline std::vector<std::string> random_byte_strings(std::size_t count, std::size_t max_len, unsigned seed) {
    static const std::vector<std::string> pool = {
        "\xc3\xa9",           // é
        "\xe6\x97\xa5",       // 日
        "\xf0\x9f\x98\x80",   // 😀
        "\xf4\x8f\xbf\xbf",   // U+10FFFF
        "\xc2\x85",           // NEL (C1)
        "\xc2\xa0",           // NBSP, first non-C1
        "\xed\xa0\x80",       // surrogate
        "\xc0\xaf",           // overlong '/'
        "\xe0\x80\xaf",       // overlong '/'
        "\xf4\x90\x80\x80",   // > U+10FFFF
        "\xe6\x97",           // truncated
        "\"", "\\", "\n", "\t", "\r", "\x7f", std::string(1, '\0'), "\\x41",
    };
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> len(0, max_len);
    std::uniform_int_distribution<int> byte(0, 255), coin(0, 2);
    std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1);
    std::vector<std::string> out;
    out.reserve(count);
    for (std::size_t n = 0; n < count; ++n) {
        std::string s;
        for (std::size_t k = len(rng); k > 0; --k) {
            if (coin(rng) == 0) s += pool[pick(rng)];
            else s += static_cast<char>(byte(rng));
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace fdscope::render::testing
