#include "sys/preload_locate.hpp"

#include <cstring>
#include <string>
#include <sys/uio.h>
#include <vector>

#include "sys/preload_layout.hpp"

namespace fdscope::sys::preload {
namespace {

struct MapLine {
    std::uint64_t start = 0, end = 0;
    std::string_view perms, path;
};

bool parse_hex(std::string_view s, std::uint64_t& out) {
    if (s.empty() || s.size() > 16) return false;
    std::uint64_t v = 0;
    for (char c : s) {
        unsigned d;
        if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
        else return false;
        v = v << 4 | d;
    }
    out = v;
    return true;
}

// "start-end perms offset dev inode   path"
bool parse_line(std::string_view l, MapLine& m) {
    const auto dash = l.find('-');
    const auto sp = l.find(' ');
    if (dash == std::string_view::npos || sp == std::string_view::npos || dash > sp) return false;
    if (!parse_hex(l.substr(0, dash), m.start) || !parse_hex(l.substr(dash + 1, sp - dash - 1), m.end) || m.end <= m.start) return false;
    std::string_view rest = l.substr(sp + 1);
    const auto sp2 = rest.find(' ');
    if (sp2 == std::string_view::npos) return false;
    m.perms = rest.substr(0, sp2);
    // Skip offset, dev and inode, then the padding before the path.
    std::size_t pos = sp2;
    for (int field = 0; field < 3; ++field) {
        pos = rest.find_first_not_of(' ', pos);
        if (pos == std::string_view::npos) {
            m.path = {};
            return true;
        }
        pos = rest.find(' ', pos);
        if (pos == std::string_view::npos) {
            m.path = {};
            return true;
        }
    }
    pos = rest.find_first_not_of(' ', pos);
    m.path = pos == std::string_view::npos ? std::string_view{} : rest.substr(pos);
    return true;
}

template <class F>
void each_line(std::string_view maps, F&& f) {
    while (!maps.empty()) {
        const auto nl = maps.find('\n');
        const std::string_view l = maps.substr(0, nl);
        MapLine m;
        if (parse_line(l, m)) f(m);
        if (nl == std::string_view::npos) break;
        maps.remove_prefix(nl + 1);
    }
}

bool is_library(std::string_view path) {
    constexpr std::string_view base = kLibraryFile;
    if (path.size() < base.size()) return false;
    // The path may carry " (deleted)" after a rebuild.
    const auto at = path.rfind(base);
    return at != std::string_view::npos && (at == 0 || path[at - 1] == '/');
}

}  // namespace

std::optional<TableLocation> locate_table(pid_t pid, std::string_view maps) {
    std::optional<TableLocation> named;
    std::vector<MapLine> lib_rw;
    each_line(maps, [&](const MapLine& m) {
        if (!named && m.path == kMapsName) named = TableLocation{m.start, m.end - m.start, true};
        if (m.perms.size() >= 2 && m.perms[0] == 'r' && m.perms[1] == 'w' && is_library(m.path)) lib_rw.push_back(m);
    });
    if (named) return named;
    for (const MapLine& m : lib_rw) {
        const std::uint64_t len = m.end - m.start;
        if (len > (1u << 20)) continue;  // the library's data is a few pages
        std::vector<std::uint64_t> words(len / 8);
        iovec local{words.data(), words.size() * 8};
        iovec remote{reinterpret_cast<void*>(m.start), words.size() * 8};
        const ssize_t got = ::process_vm_readv(pid, &local, 1, &remote, 1, 0);
        if (got <= 0) continue;
        const std::size_t n = static_cast<std::size_t>(got) / 8;
        for (std::size_t i = 0; i + 3 < n; ++i) {
            if (words[i] != kLocatorMagic || words[i + 1] != ~kLocatorMagic) continue;
            const std::uint64_t addr = words[i + 2], bytes = words[i + 3];
            if (addr == 0 || bytes == 0) return std::nullopt;  // loaded, no table
            std::optional<TableLocation> found;
            each_line(maps, [&](const MapLine& t) {
                // Unnamed anonymous mappings next to each other may be merged
                // into one line: the table lies inside one.
                if (!found && t.start <= addr && addr < t.end && bytes <= t.end - addr && t.path.empty())
                    found = TableLocation{addr, bytes, false};
            });
            return found;
        }
    }
    return std::nullopt;
}

}  // namespace fdscope::sys::preload
