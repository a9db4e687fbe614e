#include "procfs/parse_cgroup.hpp"

#include <charconv>

#include "procfs/text.hpp"

namespace fdscope::procfs {

std::vector<CgroupMembership> parse_proc_cgroup(std::string_view text) {
    std::vector<CgroupMembership> out;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::string_view line = text::next_line(rest);
        const std::size_t a = line.find(':');
        if (a == std::string_view::npos) continue;
        const std::size_t b = line.find(':', a + 1);
        if (b == std::string_view::npos) continue;
        auto id = text::to_num<std::uint32_t>(line.substr(0, a));
        if (!id) continue;
        CgroupMembership m;
        m.hierarchy = *id;
        // The path is everything after the second colon: it may hold colons.
        m.path = std::string(line.substr(b + 1));
        std::string_view ctl = line.substr(a + 1, b - a - 1);
        while (!ctl.empty()) {
            const std::size_t comma = ctl.find(',');
            std::string_view one = ctl.substr(0, comma);
            if (!one.empty()) m.controllers.emplace_back(one);
            if (comma == std::string_view::npos) break;
            ctl.remove_prefix(comma + 1);
        }
        out.push_back(std::move(m));
    }
    return out;
}

std::optional<std::string> cgroup_path_v2(const std::vector<CgroupMembership>& lines) {
    for (const auto& m : lines)
        if (m.hierarchy == 0 && m.controllers.empty()) return m.path;
    return std::nullopt;
}

std::optional<std::string> cgroup_path_v1(const std::vector<CgroupMembership>& lines, std::string_view controller) {
    for (const auto& m : lines)
        for (const auto& c : m.controllers)
            if (c == controller) return m.path;
    return std::nullopt;
}

std::optional<std::string> cgroup_mount_point(std::string_view mountinfo, std::string_view controller) {
    std::string_view rest = mountinfo;
    while (!rest.empty()) {
        std::string_view line = text::next_line(rest);
        const std::size_t dash = line.find(" - ");
        if (dash == std::string_view::npos) continue;
        std::string_view head = line.substr(0, dash), tail = line.substr(dash + 3);
        std::string_view fstype = text::next_token(tail);
        text::next_token(tail);  // source
        std::string_view super = text::next_token(tail);
        if (controller.empty() ? fstype != "cgroup2" : fstype != "cgroup") continue;
        if (!controller.empty()) {
            bool named = false;
            while (!super.empty() && !named) {
                const std::size_t comma = super.find(',');
                named = super.substr(0, comma) == controller;
                if (comma == std::string_view::npos) break;
                super.remove_prefix(comma + 1);
            }
            if (!named) continue;
        }
        // Fields: id parent major:minor root mount-point ...
        for (int i = 0; i < 3; ++i) text::next_token(head);
        if (text::next_token(head) != "/") continue;
        std::string_view mp = text::next_token(head);
        if (mp.empty()) continue;
        return text::decode_octal_escapes(mp);
    }
    return std::nullopt;
}

std::optional<std::uint64_t> parse_cgroup_value(std::string_view text) {
    const std::string_view v = text::trim(text);
    if (v == "max") return kCgroupMax;
    return text::to_num<std::uint64_t>(v);
}

std::optional<std::uint64_t> parse_keyed_value(std::string_view text, std::string_view key) {
    std::string_view rest = text;
    while (!rest.empty()) {
        std::string_view line = text::next_line(rest);
        std::string_view k = text::next_token(line);
        if (k != key) continue;
        return text::to_num<std::uint64_t>(text::trim(line));
    }
    return std::nullopt;
}

std::optional<double> parse_pressure_some_avg10(std::string_view text) {
    std::string_view rest = text;
    while (!rest.empty()) {
        std::string_view line = text::next_line(rest);
        if (text::next_token(line) != "some") continue;
        for (std::string_view tok = text::next_token(line); !tok.empty(); tok = text::next_token(line)) {
            if (!tok.starts_with("avg10=")) continue;
            tok.remove_prefix(6);
            double v = 0;
            auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
            if (ec != std::errc{} || p != tok.data() + tok.size() || v < 0) return std::nullopt;
            return v;
        }
        return std::nullopt;
    }
    return std::nullopt;
}

std::vector<std::string> non_empty_lines(std::string_view text) {
    std::vector<std::string> out;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::string_view line = text::trim(text::next_line(rest));
        if (!line.empty()) out.emplace_back(line);
    }
    return out;
}

}  // namespace fdscope::procfs
