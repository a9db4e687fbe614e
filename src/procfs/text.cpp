#include "procfs/text.hpp"

namespace fdscope::procfs::text {

namespace {
bool is_blank(char c) { return c == ' ' || c == '\t'; }
}  // namespace

std::string_view trim_left(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && is_space(s[i])) ++i;
    return s.substr(i);
}

std::string_view trim(std::string_view s) {
    s = trim_left(s);
    std::size_t n = s.size();
    while (n > 0 && is_space(s[n - 1])) --n;
    return s.substr(0, n);
}

std::string_view next_line(std::string_view& rest) {
    std::size_t nl = rest.find('\n');
    std::string_view line;
    if (nl == std::string_view::npos) {
        line = rest;
        rest = {};
    } else {
        line = rest.substr(0, nl);
        rest.remove_prefix(nl + 1);
    }
    return line;
}

std::string_view next_token(std::string_view& rest) {
    std::size_t i = 0;
    while (i < rest.size() && is_blank(rest[i])) ++i;
    std::size_t j = i;
    while (j < rest.size() && !is_blank(rest[j])) ++j;
    std::string_view tok = rest.substr(i, j - i);
    rest.remove_prefix(j);
    return tok;
}

bool KeyValues::next(std::string_view& key, std::string_view& value) {
    for (;;) {
        std::string_view tok = next_token(rest_);
        if (tok.empty()) return false;
        std::size_t colon = tok.find(':');
        if (colon == std::string_view::npos) continue;
        key = tok.substr(0, colon);
        value = tok.substr(colon + 1);
        // "events:       1d": the value is the next token.
        if (value.empty()) value = next_token(rest_);
        return true;
    }
}

std::string decode_octal_escapes(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\\' && s.size() - i >= 4) {
            char a = s[i + 1], b = s[i + 2], d = s[i + 3];
            if (a >= '0' && a <= '3' && b >= '0' && b <= '7' && d >= '0' && d <= '7') {
                out.push_back(static_cast<char>((a - '0') * 64 + (b - '0') * 8 + (d - '0')));
                i += 3;
                continue;
            }
        }
        out.push_back(c);
    }
    return out;
}

bool strip_deleted(std::string_view& s) {
    constexpr std::string_view kSuffix = " (deleted)";
    if (s.size() >= kSuffix.size() && s.substr(s.size() - kSuffix.size()) == kSuffix) {
        s.remove_suffix(kSuffix.size());
        return true;
    }
    return false;
}

bool next_field(std::string_view& rest, std::string_view& key, std::string_view& value) {
    while (!rest.empty()) {
        const std::string_view line = next_line(rest);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        key = line.substr(0, colon);
        value = line.substr(colon + 1);
        return true;
    }
    return false;
}

}  // namespace fdscope::procfs::text
