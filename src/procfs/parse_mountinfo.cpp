#include "procfs/parse_mountinfo.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

namespace {

// Fields are separated by exactly one ' ': the kernel escapes blanks in
// names, but prints an empty source as nothing ("- tmpfs  rw").
std::string_view next_field(std::string_view& rest) {
    std::size_t sp = rest.find(' ');
    std::string_view f = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
    return f;
}

// "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
// (proc(5)): zero or more optional fields end at a lone "-".
bool parse_line(std::string_view s, Mount& m, std::string_view* super_options) {
    auto id = text::to_num<std::int32_t>(next_field(s));
    auto parent = text::to_num<std::int32_t>(next_field(s));
    if (!id || !parent) return false;

    std::string_view dev = next_field(s);
    std::size_t colon = dev.find(':');
    if (colon == std::string_view::npos) return false;
    auto major = text::to_num<std::uint32_t>(dev.substr(0, colon));
    auto minor = text::to_num<std::uint32_t>(dev.substr(colon + 1));
    if (!major || !minor) return false;

    std::string_view root = next_field(s);
    std::string_view mount_point = next_field(s);
    std::string_view options = next_field(s);
    if (root.empty() || mount_point.empty() || options.empty()) return false;

    for (;;) {
        if (s.empty()) return false;  // no " - " separator
        std::string_view opt = next_field(s);
        if (opt == "-") break;
    }
    std::string_view fstype = next_field(s);
    if (fstype.empty()) return false;
    std::string_view source = next_field(s);
    if (super_options) *super_options = next_field(s);

    m.id = *id;
    m.parent = *parent;
    m.major = *major;
    m.minor = *minor;
    m.root = text::decode_octal_escapes(root);
    m.mount_point = text::decode_octal_escapes(mount_point);
    m.fstype = text::decode_octal_escapes(fstype);
    m.source = text::decode_octal_escapes(source);
    m.options.assign(options);
    return true;
}

}  // namespace

std::vector<Mount> parse_mountinfo(std::string_view text) {
    std::vector<Mount> mounts;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::string_view line = text::next_line(rest);
        if (line.empty()) continue;
        Mount m;
        if (parse_line(line, m, nullptr)) mounts.push_back(std::move(m));
    }
    return mounts;
}

std::vector<MountInfoLine> parse_mountinfo_with_super(std::string_view text) {
    std::vector<MountInfoLine> mounts;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::string_view line = text::next_line(rest);
        if (line.empty()) continue;
        MountInfoLine m;
        std::string_view super_options;
        if (!parse_line(line, m.mount, &super_options)) continue;
        m.super_options.assign(super_options);
        mounts.push_back(std::move(m));
    }
    return mounts;
}

}  // namespace fdscope::procfs
