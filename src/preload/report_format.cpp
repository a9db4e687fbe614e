#include "preload/report_format.hpp"

#include <algorithm>

namespace fdscope::preload {
namespace {

constexpr char kHex[] = "0123456789abcdef";

bool plain(unsigned char c) { return c >= 0x20 && c < 0x7f && c != '\\' && c != '"'; }

// Digits of v, least significant last, into buf (20 bytes hold any u64).
std::size_t decimal(std::uint64_t v, char* buf) {
    char tmp[20];
    std::size_t n = 0;
    do {
        tmp[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (std::size_t i = 0; i < n; ++i) buf[i] = tmp[n - 1 - i];
    return n;
}

bool hex_number(const char*& p, const char* end, std::uint64_t& v) {
    const char* start = p;
    v = 0;
    while (p < end) {
        const char c = *p;
        unsigned d;
        if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
        else break;
        if (p - start >= 16) return false;  // more than 64 bits
        v = v << 4 | d;
        ++p;
    }
    return p > start;
}

bool skip(const char*& p, const char* end, char c) {
    if (p >= end || *p != c) return false;
    ++p;
    return true;
}

// A field of non-space bytes.
bool token(const char*& p, const char* end) {
    const char* start = p;
    while (p < end && *p != ' ') ++p;
    return p > start;
}

bool key_less(const GroupKey& a, const GroupKey& b) {
    if (a.stack != b.stack) return a.stack < b.stack;
    if (a.inherited != b.inherited) return a.inherited < b.inherited;
    return a.fd < b.fd;
}

}  // namespace

// --- JSON ------------------------------------------------------------------

bool JsonOut::reserve(std::size_t more) noexcept {
    if (failed_) return false;
    if (more <= capacity_ - size_) return true;
    if (!grow_ || !grow_(*this, size_ + more, context_) || more > capacity_ - size_) {
        failed_ = true;
        return false;
    }
    return true;
}

void JsonOut::raw(const char* s, std::size_t n) noexcept {
    if (!reserve(n)) return;
    std::copy(s, s + n, data_ + size_);
    size_ += n;
}

void JsonOut::raw(const char* s) noexcept {
    std::size_t n = 0;
    while (s[n]) ++n;
    raw(s, n);
}

void JsonOut::unsigned_number(std::uint64_t v) noexcept {
    char buf[20];
    raw(buf, decimal(v, buf));
}

void JsonOut::signed_number(std::int64_t v) noexcept {
    if (v < 0) {
        ch('-');
        unsigned_number(~static_cast<std::uint64_t>(v) + 1);
    } else {
        unsigned_number(static_cast<std::uint64_t>(v));
    }
}

void JsonOut::seconds(std::uint64_t ns) noexcept {
    unsigned_number(ns / 1'000'000'000u);
    char frac[7] = {'.'};
    std::uint64_t us = ns % 1'000'000'000u / 1000u;
    for (int i = 6; i >= 1; --i) {
        frac[i] = static_cast<char>('0' + us % 10);
        us /= 10;
    }
    raw(frac, 7);
}

std::size_t utf8_sequence(const char* s, std::size_t n, std::size_t i, std::uint32_t& cp) noexcept {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    cp = c;
    if (c < 0x80) return 1;
    std::size_t len;
    if (c >= 0xc2 && c <= 0xdf) len = 2, cp = c & 0x1fu;
    else if (c >= 0xe0 && c <= 0xef) len = 3, cp = c & 0x0fu;
    else if (c >= 0xf0 && c <= 0xf4) len = 4, cp = c & 0x07u;
    else return 0;
    if (len > n - i) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        if ((b(i + k) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (b(i + k) & 0x3fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

// The escaping of render/escape.cpp's append_json_string, byte for byte:
// the library links sys/ only (it runs inside every traced program, and
// render/ pulls in std::string, fmt and the C++ runtime's allocator), so the
// rule is written again here over a caller's buffer. Unit tests compare
// the two on hostile names.
bool JsonOut::string(const char* s, std::size_t n) noexcept {
    bool lossy = false;
    ch('"');
    for (std::size_t i = 0; i < n;) {
        std::size_t run = i;
        while (run < n && plain(static_cast<unsigned char>(s[run]))) ++run;
        if (run > i) {
            raw(s + i, run - i);
            i = run;
            if (i == n) break;
        }
        const unsigned char c = static_cast<unsigned char>(s[i]);
        const char* esc = nullptr;
        switch (c) {
            case '"': esc = "\\\""; break;
            case '\\': esc = "\\\\"; break;
            case '\n': esc = "\\n"; break;
            case '\t': esc = "\\t"; break;
            case '\r': esc = "\\r"; break;
            case '\b': esc = "\\b"; break;
            case '\f': esc = "\\f"; break;
            default: break;
        }
        if (esc) {
            raw(esc, 2);
            ++i;
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
            raw(u, 6);
            ++i;
            continue;
        }
        std::uint32_t cp = 0;
        const std::size_t len = utf8_sequence(s, n, i, cp);
        if (len == 0) {
            const char x[5] = {'\\', '\\', 'x', kHex[c >> 4], kHex[c & 15]};
            raw(x, 5);
            lossy = true;
            ++i;
        } else if (cp >= 0x80 && cp < 0xa0) {
            const char u[6] = {'\\', 'u', '0', '0', kHex[cp >> 4], kHex[cp & 15]};
            raw(u, 6);
            i += len;
        } else {
            raw(s + i, len);
            i += len;
        }
    }
    ch('"');
    return lossy;
}

void JsonOut::key(const char* k, bool first) noexcept {
    if (!first) ch(',');
    ch('"');
    raw(k);
    raw("\":", 2);
}

// --- /proc/self/maps ----------------------------------------------------

bool parse_maps_line(const char* line, std::size_t n, MapsLine& out) noexcept {
    const char* p = line;
    const char* end = line + n;
    if (!hex_number(p, end, out.start) || !skip(p, end, '-') || !hex_number(p, end, out.end) || !skip(p, end, ' '))
        return false;
    if (out.end < out.start || end - p < 4) return false;
    out.executable = p[2] == 'x';
    p += 4;
    if (!skip(p, end, ' ') || !hex_number(p, end, out.offset) || !skip(p, end, ' ')) return false;
    if (!token(p, end) || !skip(p, end, ' ') || !token(p, end)) return false;  // dev, inode
    while (p < end && *p == ' ') ++p;
    out.path = p;
    out.path_len = static_cast<std::size_t>(end - p);
    return true;
}

std::size_t parse_modules(const char* text, std::size_t n, Module* out, std::size_t capacity) noexcept {
    std::size_t count = 0;
    for (std::size_t i = 0; i < n && count < capacity;) {
        std::size_t j = i;
        while (j < n && text[j] != '\n') ++j;
        MapsLine m;
        // File-backed: the path is absolute ("[vdso]", "[anon:...]" and
        // anonymous mappings are not files a symbolizer can open).
        if (parse_maps_line(text + i, j - i, m) && m.executable && m.path_len > 0 && m.path[0] == '/' &&
            (count == 0 || m.start >= out[count - 1].end))
            out[count++] = Module{m.start, m.end, m.offset, m.path, m.path_len};
        i = j + 1;
    }
    return count;
}

const Module* find_module(const Module* mods, std::size_t count, std::uint64_t pc) noexcept {
    std::size_t lo = 0, hi = count;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (pc < mods[mid].start) hi = mid;
        else if (pc >= mods[mid].end) lo = mid + 1;
        else return &mods[mid];
    }
    return nullptr;
}

// --- grouping --------------------------------------------------------------

void sort_group_keys(GroupKey* keys, std::size_t n) noexcept { std::sort(keys, keys + n, key_less); }

std::size_t group_end(const GroupKey* keys, std::size_t n, std::size_t from) noexcept {
    std::size_t i = from;
    while (i < n && keys[i].stack == keys[from].stack && keys[i].inherited == keys[from].inherited) ++i;
    return i;
}

std::size_t group_runs(const GroupKey* keys, std::size_t n, GroupRun* runs) noexcept {
    std::size_t count = 0;
    for (std::size_t i = 0; i < n;) {
        const std::size_t e = group_end(keys, n, i);
        runs[count++] = GroupRun{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(e - i)};
        i = e;
    }
    // The runs are in key order: `from` breaks ties between equal counts
    // in that order (a total order, so std::sort, which allocates nothing,
    // gives one result).
    std::sort(runs, runs + count, [](const GroupRun& a, const GroupRun& b) {
        return a.count != b.count ? a.count > b.count : a.from < b.from;
    });
    return count;
}

bool expand_path(const char* templ, int pid, char* out, std::size_t capacity) noexcept {
    char digits[20];
    const std::size_t nd = decimal(static_cast<std::uint64_t>(pid < 0 ? 0 : pid), digits);
    std::size_t o = 0;
    for (const char* p = templ; *p; ++p) {
        if (p[0] == '%' && p[1] == 'p') {
            if (capacity - o <= nd) return false;
            std::copy(digits, digits + nd, out + o);
            o += nd;
            ++p;
            continue;
        }
        if (capacity - o <= 1) return false;
        out[o++] = *p;
    }
    if (o >= capacity) return false;
    out[o] = '\0';
    return true;
}

}  // namespace fdscope::preload
