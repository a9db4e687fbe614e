#include "render/escape.hpp"

#include <cstdint>
#include <locale.h>
#include <wchar.h>

namespace fdscope::render {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void hex_byte(unsigned char c, std::string& out) {
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
}

// Printable ASCII other than the backslash: copied as is.
bool plain(unsigned char c) { return c >= 0x20 && c < 0x7f && c != '\\'; }

}  // namespace

std::size_t utf8_length(std::string_view s, std::size_t i, std::uint32_t& cp) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    cp = c;
    if (c < 0x80) return 1;
    std::size_t n;
    if (c >= 0xc2 && c <= 0xdf) n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) n = 4, cp = c & 0x07;
    else return 0;
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((b(i + k) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (b(i + k) & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

void escape_for_table(std::string_view in, std::string& out) {
    for (std::size_t i = 0; i < in.size();) {
        // Nearly every name is plain ASCII: copy runs of it in one append.
        std::size_t run = i;
        while (run < in.size() && plain(static_cast<unsigned char>(in[run]))) ++run;
        if (run > i) {
            out.append(in.data() + i, run - i);
            i = run;
            if (i == in.size()) break;
        }
        unsigned char c = static_cast<unsigned char>(in[i]);
        if (c == '\n') out += "\\n", ++i;
        else if (c == '\t') out += "\\t", ++i;
        else if (c == '\r') out += "\\r", ++i;
        else if (c == '\\') out += "\\\\", ++i;
        else if (c < 0x20 || c == 0x7f) hex_byte(c, out), ++i;
        else {
            std::uint32_t cp;
            std::size_t n = utf8_length(in, i, cp);
            // C1 controls (U+0080..U+009F) steer terminals too: escape them.
            if (n == 0 || (cp >= 0x80 && cp < 0xa0)) {
                for (std::size_t k = 0; k < (n ? n : 1); ++k) hex_byte(static_cast<unsigned char>(in[i + k]), out);
                i += n ? n : 1;
            } else {
                out.append(in.substr(i, n));
                i += n;
            }
        }
    }
}

std::string escape_for_table(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    escape_for_table(in, out);
    return out;
}

void append_json_string(std::string_view in, std::string& out, bool& lossy) {
    for (std::size_t i = 0; i < in.size();) {
        std::size_t run = i;  // plain ASCII needs no escape: one append per run
        while (run < in.size() && plain(static_cast<unsigned char>(in[run])) && in[run] != '"') ++run;
        if (run > i) {
            out.append(in.data() + i, run - i);
            i = run;
            if (i == in.size()) break;
        }
        unsigned char c = static_cast<unsigned char>(in[i]);
        switch (c) {
            case '"': out += "\\\""; ++i; continue;
            case '\\': out += "\\\\"; ++i; continue;
            case '\n': out += "\\n"; ++i; continue;
            case '\t': out += "\\t"; ++i; continue;
            case '\r': out += "\\r"; ++i; continue;
            case '\b': out += "\\b"; ++i; continue;
            case '\f': out += "\\f"; ++i; continue;
            default: break;
        }
        if (c < 0x20 || c == 0x7f) {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
            ++i;
        } else if (c < 0x80) {
            out += static_cast<char>(c);
            ++i;
        } else {
            std::uint32_t cp;
            std::size_t n = utf8_length(in, i, cp);
            if (n == 0) {
                out += "\\\\x";
                out += kHex[c >> 4];
                out += kHex[c & 15];
                lossy = true;
                ++i;
            } else if (cp >= 0x80 && cp < 0xa0) {
                out += "\\u00";  // C1 control: legal in JSON only escaped, to be safe
                out += kHex[cp >> 4];
                out += kHex[cp & 15];
                i += n;
            } else {
                out.append(in.substr(i, n));
                i += n;
            }
        }
    }
}

std::size_t columns_of(std::uint32_t cp) {
    if (cp < 0x7f) return cp >= 0x20 ? 1 : 0;
    // The terminal's widths are the C library's in a UTF-8 locale, ours
    // whatever the process runs in ("C" knows no width but ASCII's).
    static const locale_t utf8 = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
    if (!utf8) return 1;
    const locale_t was = ::uselocale(utf8);
    const int w = ::wcwidth(static_cast<wchar_t>(cp));
    ::uselocale(was);
    return w < 0 ? 1 : static_cast<std::size_t>(w);  // unassigned: a terminal draws one cell
}

namespace {

// The code point at s[i] and its length; a byte that starts no valid
// sequence is one column wide (escape_for_table leaves none).
std::size_t next_code_point(std::string_view s, std::size_t i, std::uint32_t& cp) {
    const std::size_t n = utf8_length(s, i, cp);
    return n ? n : 1;
}

// Where the code point that ends at s[j] starts.
std::size_t previous_start(std::string_view s, std::size_t j) {
    std::size_t i = j - 1;
    while (i > 0 && j - i < 4 && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) --i;
    std::uint32_t cp;
    return utf8_length(s, i, cp) == j - i ? i : j - 1;
}

}  // namespace

std::size_t display_width(std::string_view s) {
    // Nearly every cell of a table is printable ASCII: one column a byte.
    std::size_t i = 0;
    while (i < s.size() && static_cast<unsigned char>(s[i]) - 0x20u < 0x5fu) ++i;
    std::size_t w = i;
    while (i < s.size()) {
        std::uint32_t cp;
        i += next_code_point(s, i, cp);
        w += columns_of(cp);
    }
    return w;
}

std::string truncate_middle(std::string_view s, std::size_t width) {
    if (display_width(s) <= width) return std::string(s);
    if (width == 0) return {};
    if (width == 1) return "…";
    const std::size_t keep = width - 1, head = keep / 2;
    // Whole code points from each end while they fit, the tail getting what
    // the head left: a wide one that does not fit leaves it a column short.
    std::size_t i = 0, used = 0;
    while (i < s.size()) {
        std::uint32_t cp;
        const std::size_t n = next_code_point(s, i, cp);
        if (used + columns_of(cp) > head) break;
        used += columns_of(cp);
        i += n;
    }
    const std::size_t tail = keep - used;
    std::size_t j = s.size();
    used = 0;
    while (j > i) {
        const std::size_t k = previous_start(s, j);
        if (k < i) break;
        std::uint32_t cp;
        next_code_point(s, k, cp);
        if (used + columns_of(cp) > tail) break;
        used += columns_of(cp);
        j = k;
    }
    std::string out(s.substr(0, i));
    out += "…";
    out.append(s.substr(j));
    return out;
}

std::string fit_columns(std::string_view s, std::size_t width) {
    std::string out = truncate_middle(s, width);
    const std::size_t w = display_width(out);
    if (w < width) out.append(width - w, ' ');
    return out;
}

}  // namespace fdscope::render
