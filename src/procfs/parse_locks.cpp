#include "procfs/parse_locks.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {
namespace {

// Next blank-separated word of `s`, advancing it; "" at the end.
std::string_view word(std::string_view& s) {
    const std::size_t b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) {
        s = {};
        return {};
    }
    s.remove_prefix(b);
    const std::size_t e = s.find_first_of(" \t");
    std::string_view w = s.substr(0, e);
    s = e == std::string_view::npos ? std::string_view{} : s.substr(e);
    return w;
}

}  // namespace

std::vector<FileLock> parse_locks(std::string_view text) {
    std::vector<FileLock> out;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::string_view line = text::next_line(rest);
        // "1: FLOCK  ADVISORY  WRITE 1234 00:2a:5678 0 EOF"
        std::string_view id = word(line);
        if (id.empty() || id.back() != ':') continue;
        FileLock l;
        l.type = word(line);
        if (l.type == "->" || l.type.empty()) continue;  // a waiter, not a holder
        word(line);                                        // ADVISORY / MANDATORY
        l.access = word(line);
        std::string_view pid = word(line);
        if (pid == "-1") l.pid = -1;
        else if (auto n = text::to_num<std::int32_t>(pid)) l.pid = *n;
        else continue;
        std::string_view dev = word(line);  // major:minor:inode, the device numbers in hex
        const std::size_t c1 = dev.find(':'), c2 = c1 == std::string_view::npos ? c1 : dev.find(':', c1 + 1);
        if (c2 == std::string_view::npos) continue;
        auto major = text::to_num<std::uint32_t>(dev.substr(0, c1), 16);
        auto minor = text::to_num<std::uint32_t>(dev.substr(c1 + 1, c2 - c1 - 1), 16);
        auto inode = text::to_num<std::uint64_t>(dev.substr(c2 + 1));
        if (!major || !minor || !inode) continue;
        l.major = *major;
        l.minor = *minor;
        l.inode = *inode;
        out.push_back(l);
    }
    return out;
}

}  // namespace fdscope::procfs
