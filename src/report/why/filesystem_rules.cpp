#include "report/why/filesystem_rules.hpp"

#include <cerrno>

#include <fmt/format.h>

#include "report/why/check_make.hpp"
#include "report/why/inode_type.hpp"
#include "report/why/mount_rules.hpp"

namespace fdscope::report::why {

namespace {

std::optional<std::string_view> find_option(std::string_view options, std::string_view name) {
    while (!options.empty()) {
        const auto comma = options.find(',');
        const std::string_view opt = options.substr(0, comma);
        if (opt == name) return std::string_view{};
        if (opt.size() > name.size() && opt.substr(0, name.size()) == name && opt[name.size()] == '=')
            return opt.substr(name.size() + 1);
        if (comma == std::string_view::npos) break;
        options.remove_prefix(comma + 1);
    }
    return std::nullopt;
}

std::optional<std::uint32_t> number_option(const MountFacts& m, std::string_view name) {
    const auto v = option_value(m.super_options, name);
    if (!v || v->empty()) return std::nullopt;
    std::uint32_t n = 0;
    for (char c : *v) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return n;
}

// fuse_allow_current_process(): without allow_other only the mounter's
// real, effective and saved ids get in.
Check fuse_allow_check(const Facts& facts, const MountFacts& m, const std::string& path) {
    if (has_option(m.super_options, "allow_other"))
        return passed(Layer::Filesystem, path, fmt::format("FUSE with allow_other: {}", mount_text(m)));
    const auto uid = number_option(m, "user_id");
    const auto gid = number_option(m, "group_id");
    if (!uid || !gid)
        return unknown_check(Layer::Filesystem, path, fmt::format("FUSE without allow_other: {}", mount_text(m)),
                             "the FUSE mount's user_id/group_id are not in its options: cannot tell whether the "
                             "subject is the mounter");
    const auto& s = facts.subject;
    const bool mounter = s.ruid == *uid && s.euid == *uid && s.suid == *uid && s.rgid == *gid &&
                         s.egid == *gid && s.sgid == *gid;
    if (mounter)
        return passed(Layer::Filesystem, path,
                      fmt::format("FUSE without allow_other; the subject is the mounter ({}:{})", *uid, *gid));
    return failed(Layer::Filesystem, path, EACCES,
                  fmt::format("FUSE without allow_other, mounted by {}:{}: {}", *uid, *gid, mount_text(m)),
                  fmt::format("{} is on a FUSE mount of uid {} without allow_other: every other user, root "
                              "included, gets EACCES",
                              path, *uid),
                  fmt::format("remount it with -o allow_other (a non-root mounter needs user_allow_other in "
                              "/etc/fuse.conf), or access it as uid {}",
                              *uid));
}

}  // namespace

bool has_option(std::string_view options, std::string_view name) { return find_option(options, name).has_value(); }

std::optional<std::string> option_value(std::string_view options, std::string_view name) {
    const auto v = find_option(options, name);
    if (!v) return std::nullopt;
    return std::string(*v);
}

bool is_fuse(const MountFacts& m) {
    return m.fstype == "fuse" || m.fstype == "fuseblk" || m.fstype.rfind("fuse.", 0) == 0;
}

bool is_nfs(const MountFacts& m) { return m.fstype == "nfs" || m.fstype == "nfs4"; }

bool is_overlay(const MountFacts& m) { return m.fstype == "overlay"; }

bool daemon_decides(const MountFacts& m) { return is_fuse(m) && !has_option(m.super_options, "default_permissions"); }

std::vector<Check> filesystem_checks(const Facts& facts, const MountFacts& m, const std::string& path) {
    std::vector<Check> out;
    if (is_fuse(m)) {
        out.push_back(fuse_allow_check(facts, m, path));
        if (daemon_decides(m))
            out.push_back(unknown_check(
                Layer::Filesystem, path, fmt::format("FUSE without default_permissions: {}", mount_text(m)),
                fmt::format("{} is on a FUSE mount without default_permissions: the daemon decides access, "
                            "the kernel does not check the mode bits",
                            path)));
        else
            out.push_back(passed(Layer::Filesystem, path, "FUSE with default_permissions: the kernel checks modes"));
    } else if (is_nfs(m)) {
        const std::string sec = option_value(m.super_options, "sec").value_or("sys");
        if (facts.subject.fsuid == 0)
            out.push_back(unknown_check(
                Layer::Filesystem, path, fmt::format("NFS (sec={}), subject root: {}", sec, mount_text(m)),
                fmt::format("{} is on NFS: the server usually maps root to nobody (root_squash) and decides "
                            "with its own permissions",
                            path)));
        else
            out.push_back(noted(Layer::Filesystem, path,
                                fmt::format("NFS (sec={}): the server checks again with its own ids and exports: {}",
                                            sec, mount_text(m))));
    }
    return out;
}

Check cross_mount_check(const Facts& facts, const Inode& a, const std::string& a_path, std::int32_t b_mount,
                        const Inode* b_inode, const std::string& b_path, bool hard_link) {
    const MountFacts* ma = fdscope::why::find_mount(facts, a.mount_id);
    const MountFacts* mb = fdscope::why::find_mount(facts, b_mount);
    const auto name = [](const MountFacts* m, std::int32_t id) {
        return m != nullptr ? mount_text(*m) : fmt::format("mount {}", id);
    };
    if (a.mount_id == b_mount)
        return passed(Layer::Filesystem, b_path, fmt::format("both on {}", name(ma, a.mount_id)));
    std::string detail = fmt::format("{} is on {}, {} on {}", a_path, name(ma, a.mount_id), b_path, name(mb, b_mount));
    if (b_inode != nullptr && b_inode->dev == a.dev)
        detail += "; the same filesystem through two mounts still counts as two";
    const std::string fix = hard_link
                                ? fmt::format("hard links cannot cross mounts: ln -s {} {}, or link within one mount",
                                              a_path, b_path)
                                : fmt::format("copy, then remove: mv {} {} does so across mounts", a_path, b_path);
    return failed(Layer::Filesystem, b_path, EXDEV, detail,
                  fmt::format("{} and {} are on different mounts", a_path, b_path), fix);
}

Check overlay_dir_rename_check(const Facts& facts, const Inode& dir, const std::string& path) {
    const MountFacts* m = fdscope::why::find_mount(facts, dir.mount_id);
    if (m == nullptr || !is_overlay(*m) || !is_dir(dir))
        return skipped(Layer::Filesystem, path, "not a directory on overlayfs");
    if (const auto r = option_value(m->super_options, "redirect_dir"); r && *r == "on")
        return passed(Layer::Filesystem, path, fmt::format("overlayfs with redirect_dir={}", *r));
    return noted(Layer::Filesystem, path,
                 fmt::format("overlayfs ({}): a directory from a lower layer is renamed only with redirect_dir=on; "
                             "otherwise rename gives EXDEV (mv then copies)",
                             mount_text(*m)));
}

}  // namespace fdscope::report::why
