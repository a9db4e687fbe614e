#include "report/why/mount_rules.hpp"

#include <sys/stat.h>

#include <cerrno>

#include <fmt/format.h>

#include "report/why/check_make.hpp"
#include "report/why/inode_type.hpp"
#include "report/why/subject_ids.hpp"

namespace fdscope::report::why {

namespace {

Check unknown_mount(Layer layer, std::int32_t id, const std::string& path) {
    return unknown_check(layer, path, fmt::format("mount {} is not in the facts", id),
                         fmt::format("the mount holding {} (mount {}) was not read", path, id));
}

}  // namespace

std::string mount_text(const MountFacts& m) {
    std::string out = fmt::format("mount {} {} ({}", m.id, m.mount_point, m.fstype);
    if (!m.source.empty()) out += " " + m.source;
    if (!m.options.empty()) out += ", " + m.options;
    if (m.super_ro) out += "; superblock ro";
    if (is_bind(m)) out += "; bind of " + m.root;
    if (m.idmapped) out += "; idmapped";
    return out + ")";
}

bool is_bind(const MountFacts& m) { return !m.root.empty() && m.root != "/"; }

std::string mount_command(const Facts& facts, const std::string& args) {
    if (!facts.subject.same_mnt_ns && facts.subject.pid > 0)
        return fmt::format("nsenter -t {} -m mount {}", facts.subject.pid, args);
    return "mount " + args;
}

Check want_write_check(const Facts& facts, std::int32_t mount_id, const std::string& path, std::string_view when) {
    const MountFacts* m = fdscope::why::find_mount(facts, mount_id);
    if (m == nullptr) return unknown_mount(Layer::Mount, mount_id, path);
    if (!m->ro && !m->super_ro)
        return passed(Layer::Mount, path, fmt::format("{}: writable {}", mount_text(*m), when));
    const bool per_mount_only = m->ro && !m->super_ro;
    const std::string which = per_mount_only ? "a read-only mount (the filesystem itself is writable)"
                                             : "a read-only filesystem";
    const std::string fix = per_mount_only && is_bind(*m)
                                ? mount_command(facts, "-o remount,bind,rw " + m->mount_point)
                                : mount_command(facts, "-o remount,rw " + m->mount_point);
    return failed(Layer::Mount, path, EROFS, fmt::format("{}: read-only {}", mount_text(*m), when),
                  fmt::format("{} is on {}: {}", path, which, mount_text(*m)), fix);
}

Check superblock_check(const Facts& facts, const Inode& inode, const std::string& path) {
    if (!is_reg(inode) && !is_dir(inode) && !is_link(inode))
        return skipped(Layer::Mount, path,
                       fmt::format("a {} is written without the filesystem: its read-only state does not matter",
                                   type_word(inode)));
    const MountFacts* m = fdscope::why::find_mount(facts, inode.mount_id);
    if (m == nullptr) return unknown_mount(Layer::Mount, inode.mount_id, path);
    if (!m->super_ro) return passed(Layer::Mount, path, fmt::format("superblock writable ({})", mount_text(*m)));
    return failed(Layer::Mount, path, EROFS, fmt::format("superblock read-only: {}", mount_text(*m)),
                  fmt::format("{} is on a read-only filesystem ({}); no permission lets anyone write it", path,
                              mount_text(*m)),
                  mount_command(facts, "-o remount,rw " + m->mount_point));
}

Check mount_ro_after_permission_check(const Facts& facts, const Inode& inode, const std::string& path) {
    const MountFacts* m = fdscope::why::find_mount(facts, inode.mount_id);
    if (m == nullptr) return unknown_mount(Layer::Mount, inode.mount_id, path);
    if (!m->ro) return passed(Layer::Mount, path, fmt::format("mount writable ({})", mount_text(*m)));
    const std::string fix = is_bind(*m) ? mount_command(facts, "-o remount,bind,rw " + m->mount_point)
                                        : mount_command(facts, "-o remount,rw " + m->mount_point);
    return failed(Layer::Mount, path, EROFS,
                  fmt::format("per-mount read-only, checked when the file is opened (after the permission "
                              "bits): {}",
                              mount_text(*m)),
                  fmt::format("{} is on a read-only mount: {}", path, mount_text(*m)), fix);
}

Check nodev_check(const Facts& facts, const Inode& inode, const std::string& path) {
    const MountFacts* m = fdscope::why::find_mount(facts, inode.mount_id);
    if (m == nullptr) return unknown_mount(Layer::Mount, inode.mount_id, path);
    if (!m->nodev) return passed(Layer::Mount, path, fmt::format("device nodes allowed ({})", mount_text(*m)));
    return failed(Layer::Mount, path, EACCES, fmt::format("nodev: {}", mount_text(*m)),
                  fmt::format("{} is a {} on a nodev mount ({}): device nodes there cannot be opened", path,
                              type_word(inode), mount_text(*m)),
                  mount_command(facts, "-o remount,dev " + m->mount_point) + ", or use the node under /dev");
}

Check noexec_check(const Facts& facts, const Inode& inode, const std::string& path) {
    const MountFacts* m = fdscope::why::find_mount(facts, inode.mount_id);
    if (m == nullptr) return unknown_mount(Layer::Mount, inode.mount_id, path);
    if (!m->noexec) return passed(Layer::Mount, path, fmt::format("exec allowed ({})", mount_text(*m)));
    return failed(Layer::Mount, path, EACCES, fmt::format("noexec: {}", mount_text(*m)),
                  fmt::format("{} is on a noexec mount ({}): nothing there can be executed, whatever its mode",
                              path, mount_text(*m)),
                  mount_command(facts, "-o remount,exec " + m->mount_point) +
                      ", or copy the program to a mount without noexec");
}

bool nosymfollow(const Facts& facts, const Inode& link) {
    const MountFacts* m = fdscope::why::find_mount(facts, link.mount_id);
    return m != nullptr && m->nosymfollow;
}

Check nosymfollow_check(const Facts& facts, const Inode& link, const std::string& path) {
    const MountFacts* m = fdscope::why::find_mount(facts, link.mount_id);
    if (m == nullptr) return unknown_mount(Layer::Mount, link.mount_id, path);
    if (!m->nosymfollow) return passed(Layer::Mount, path, fmt::format("symlinks followed ({})", mount_text(*m)));
    return failed(Layer::Mount, path, ELOOP, fmt::format("nosymfollow: {}", mount_text(*m)),
                  fmt::format("{} is a symlink on a nosymfollow mount ({}): the kernel does not follow it", path,
                              mount_text(*m)),
                  fmt::format("use the target directly ({}), or {}", link.symlink_target,
                              mount_command(facts, "-o remount,symfollow " + m->mount_point)));
}

Check setid_exec_check(const Facts& facts, const Inode& inode, const std::string& path) {
    const bool setuid = (inode.mode & S_ISUID) != 0;
    const bool setgid = (inode.mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP);
    if (!setuid && !setgid) return skipped(Layer::Capability, path, "not setuid or setgid");
    const std::string what = setuid ? fmt::format("setuid {}", user_text(facts, inode.uid))
                                    : fmt::format("setgid {}", group_text(facts, inode.gid));
    const MountFacts* m = fdscope::why::find_mount(facts, inode.mount_id);
    if (m != nullptr && m->nosuid)
        return noted(Layer::Capability, path,
                     fmt::format("{} ignored: {} is nosuid; the program runs with the caller's ids", what,
                                 mount_text(*m)));
    if (facts.subject.no_new_privs)
        return noted(Layer::Capability, path,
                     fmt::format("{} ignored: the subject has no_new_privs; the program runs with its ids", what));
    if (m == nullptr) return unknown_mount(Layer::Capability, inode.mount_id, path);
    return passed(Layer::Capability, path, fmt::format("{} takes effect", what));
}

}  // namespace fdscope::report::why
