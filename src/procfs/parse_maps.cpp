#include "procfs/parse_maps.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

namespace {

bool expect(std::string_view& s, char c) {
    if (s.empty() || s[0] != c) return false;
    s.remove_prefix(1);
    return true;
}

bool skip_blanks(std::string_view& s) {
    std::size_t i = 0;
    while (i < s.size() && s[i] == ' ') ++i;
    s.remove_prefix(i);
    return i > 0;
}

// "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu " then blanks up to a column,
// then the name (fs/proc/task_mmu.c). The name is everything after the
// padding: it may hold blanks, and the kernel escapes only '\n' (as
// "\012"), so it is kept as written.
bool parse_line(std::string_view s, MapEntry& e) {
    using text::consume_num;
    if (!consume_num(s, e.start, 16) || !expect(s, '-')) return false;
    if (!consume_num(s, e.end, 16) || !expect(s, ' ')) return false;
    if (e.end < e.start) return false;

    if (s.size() < 5) return false;
    const char r = s[0], w = s[1], x = s[2], p = s[3];
    if ((r != 'r' && r != '-') || (w != 'w' && w != '-') || (x != 'x' && x != '-') || (p != 'p' && p != 's'))
        return false;
    e.perms[0] = r, e.perms[1] = w, e.perms[2] = x, e.perms[3] = p, e.perms[4] = 0;
    s.remove_prefix(4);
    if (!expect(s, ' ')) return false;

    if (!consume_num(s, e.offset, 16) || !expect(s, ' ')) return false;
    if (!consume_num(s, e.major, 16) || !expect(s, ':')) return false;
    if (!consume_num(s, e.minor, 16) || !expect(s, ' ')) return false;
    if (!consume_num(s, e.inode, 10)) return false;
    // The name is separated by padding; no padding means no name.
    if (!s.empty() && !skip_blanks(s)) return false;

    e.deleted = text::strip_deleted(s);
    e.path = s;
    return true;
}

}  // namespace

std::size_t parse_maps(std::string_view text, const std::function<void(const MapEntry&)>& fn) {
    std::size_t skipped = 0;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::string_view line = text::next_line(rest);
        if (line.empty()) continue;
        MapEntry e;
        if (parse_line(line, e))
            fn(e);
        else
            ++skipped;
    }
    return skipped;
}

}  // namespace fdscope::procfs
