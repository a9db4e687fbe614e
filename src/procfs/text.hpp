// Small allocation-free helpers shared by the procfs parsers. Every input
// is treated as hostile: nothing here reads past the view it was given.
#pragma once
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace fdscope::procfs::text {

inline bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s);
std::string_view trim_left(std::string_view s);

// Cuts the next line (without its '\n') off the front of `rest`. A final
// line without '\n' is returned too; an empty `rest` yields "".
std::string_view next_line(std::string_view& rest);

// The next "Key:\tvalue" line of a /proc status-like text: false at the
// end; lines without a colon are skipped. The value is not trimmed.
bool next_field(std::string_view& rest, std::string_view& key, std::string_view& value);

// Cuts the next run of non-blank bytes (blank: ' ' or '\t') off `rest`;
// "" when only blanks remain.
std::string_view next_token(std::string_view& rest);

// The whole of `s` as a number, or nothing: no sign for unsigned types, no
// '+', no "0x", no surrounding blanks, no overflow.
template <class T>
std::optional<T> to_num(std::string_view s, int base = 10) {
    static_assert(std::is_integral_v<T>);
    T v{};
    if (s.empty()) return std::nullopt;
    const char* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, v, base);
    if (ec != std::errc{} || p != end) return std::nullopt;
    return v;
}

// Like to_num, but reads a prefix of `s` and advances `s` past it.
template <class T>
bool consume_num(std::string_view& s, T& out, int base = 10) {
    static_assert(std::is_integral_v<T>);
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc{}) return false;
    s.remove_prefix(static_cast<std::size_t>(p - s.data()));
    out = v;
    return true;
}

// "key: value" pairs in a line of `key:value` or `key: value` items, as
// fdinfo prints epoll/inotify/fanotify entries ("tfd:  3 events: 19 ...
// ino:40e"). Items without ':' (the "inotify" lead word) are skipped.
class KeyValues {
public:
    explicit KeyValues(std::string_view line) : rest_(line) {}
    // false at the end of the line.
    bool next(std::string_view& key, std::string_view& value);

private:
    std::string_view rest_;
};

// Decodes the \ooo escapes mountinfo uses for ' ', '\t', '\n' and '\\'.
// A backslash not followed by three octal digits (value <= 0377) is kept.
std::string decode_octal_escapes(std::string_view s);

// Drops a trailing " (deleted)"; true if it was there.
bool strip_deleted(std::string_view& s);

}  // namespace fdscope::procfs::text
