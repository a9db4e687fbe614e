#include "why/mount_facts.hpp"

#include <cerrno>
#include <fmt/format.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include "sys/errno_text.hpp"

namespace fdscope::why {

namespace {

// Whether a comma-separated option list holds `opt` as a whole item.
bool has_option(std::string_view list, std::string_view opt) {
    while (!list.empty()) {
        std::size_t comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        if (item == opt) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace

MountFacts mount_facts(const procfs::MountInfoLine& line) {
    MountFacts m;
    const Mount& mi = line.mount;
    m.id = mi.id;
    m.parent = mi.parent;
    m.mount_point = mi.mount_point;
    m.root = mi.root;
    m.fstype = mi.fstype;
    m.source = mi.source;
    m.options = mi.options;
    m.super_options = line.super_options;
    // show_mountinfo (fs/proc_namespace.c) prints "ro" or "rw" first, then
    // the MNT_* flags by name, "idmapped" for an idmapped mount.
    m.ro = has_option(m.options, "ro");
    m.nosuid = has_option(m.options, "nosuid");
    m.nodev = has_option(m.options, "nodev");
    m.noexec = has_option(m.options, "noexec");
    m.nosymfollow = has_option(m.options, "nosymfollow");
    m.idmapped = has_option(m.options, "idmapped");
    m.super_ro = has_option(m.super_options, "ro");
    return m;
}

int read_mount_space(int fd, MountFacts& m) {
    struct statfs sfs{};
    if (::fstatfs(fd, &sfs) != 0) return errno;
    struct statvfs svfs{};
    if (::fstatvfs(fd, &svfs) != 0) return errno;
    m.name_max = static_cast<std::uint64_t>(sfs.f_namelen);
    m.block_size = svfs.f_frsize ? svfs.f_frsize : svfs.f_bsize;
    m.blocks = svfs.f_blocks;
    m.blocks_free = svfs.f_bfree;
    m.blocks_avail = svfs.f_bavail;
    m.files = svfs.f_files;
    m.files_free = svfs.f_ffree;
    m.files_avail = svfs.f_favail;
    m.space_known = true;
    return 0;
}

std::vector<MountFacts> mounts_touched(std::string_view mountinfo, const std::vector<std::int32_t>& ids,
                                       const std::vector<int>& fds, std::vector<std::string>& unreadable) {
    std::vector<MountFacts> out;
    auto lines = procfs::parse_mountinfo_with_super(mountinfo);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const procfs::MountInfoLine* found = nullptr;
        for (const auto& l : lines)
            if (l.mount.id == ids[i]) found = &l;
        if (!found) {
            unreadable.push_back(fmt::format("mount {}: not in the subject's mountinfo", ids[i]));
            continue;
        }
        MountFacts m = mount_facts(*found);
        const int fd = i < fds.size() ? fds[i] : -1;
        if (fd < 0) unreadable.push_back(fmt::format("mount {} ({}): no fd to read its space", m.id, m.mount_point));
        else if (int err = read_mount_space(fd, m))
            unreadable.push_back(fmt::format("mount {} ({}): statfs: {}", m.id, m.mount_point, sys::errno_text(err)));
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace fdscope::why
