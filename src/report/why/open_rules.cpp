#include "report/why/open_rules.hpp"

#include <cerrno>

#include <fmt/format.h>

#include "report/why/capability.hpp"
#include "report/why/busy_rules.hpp"
#include "report/why/check_make.hpp"
#include "report/why/inode_permission.hpp"
#include "report/why/inode_type.hpp"
#include "report/why/mount_rules.hpp"
#include "report/why/protected_rules.hpp"
#include "report/why/subject_ids.hpp"
#include "report/why/walk_rules.hpp"

namespace fdscope::report::why {

namespace {

using fdscope::why::OpenFlags;

// build_open_flags(): the access asked; O_TRUNC asks for write too.
int access_mask(const OpenFlags& fl) {
    int mask = 0;
    if (fl.read || !fl.write) mask |= kMayRead;
    if (fl.write || fl.trunc) mask |= kMayWrite;
    return mask;
}

// lookup_open() for a name that does not exist: O_CREAT creates it.
std::vector<Check> create_checks(const Facts& facts, const WalkEnd& end) {
    std::vector<Check> out;
    const Inode& dir = *end.dir;
    out.push_back(want_write_check(facts, dir.mount_id, end.dir_path, "to create a file in it"));
    append_checks(out, inode_permission_checks(facts, dir, {end.dir_path, kMayWrite | kMayExec, false, false}));
    return out;
}

// do_open() and may_open() for an existing file.
std::vector<Check> existing_checks(const Facts& facts, const WalkEnd& end) {
    const OpenFlags& fl = facts.operation.open;
    const Inode& obj = *end.object;
    const std::string& path = end.path;
    const int mask = access_mask(fl);
    std::vector<Check> out;
    if (fl.create) {
        if (fl.excl)
            out.push_back(failed(Layer::Path, path, EEXIST, fmt::format("{} exists ({})", path, type_word(obj)),
                                 fmt::format("{} exists and O_EXCL asks to create it", path),
                                 "drop O_EXCL to open the existing file, or pick a new name"));
        if (is_dir(obj))
            out.push_back(failed(Layer::Path, path, EISDIR, "a directory",
                                 fmt::format("{} is a directory: O_CREAT cannot open it", path),
                                 "open it without O_CREAT"));
        if (end.dir != nullptr) out.push_back(create_in_sticky_check(facts, *end.dir, end.dir_path, obj, path));
    }
    if (fl.directory && !is_dir(obj))
        out.push_back(failed(Layer::Path, path, ENOTDIR, fmt::format("a {}", type_word(obj)),
                             fmt::format("{} is a {}, and O_DIRECTORY asks for a directory", path, type_word(obj)),
                             "open it without O_DIRECTORY"));
    // O_TRUNC takes write access on the mount before any permission check.
    const bool early_write = is_reg(obj) && fl.trunc;
    if (early_write)
        out.push_back(want_write_check(facts, obj.mount_id, path, "for O_TRUNC, before the permission checks"));
    // may_open(): the type first.
    if (is_link(obj))
        out.push_back(failed(Layer::Path, path, ELOOP, fmt::format("a symlink -> {}", obj.symlink_target),
                             fmt::format("{} is a symlink and the open does not follow it (O_NOFOLLOW)", path),
                             fmt::format("open the target ({}) or drop O_NOFOLLOW", obj.symlink_target)));
    if (is_dir(obj) && (mask & kMayWrite) != 0)
        out.push_back(failed(Layer::Path, path, EISDIR, "a directory",
                             fmt::format("{} is a directory: it cannot be opened for writing", path),
                             "open it read-only"));
    if (is_device(obj)) out.push_back(nodev_check(facts, obj, path));
    append_checks(out, inode_permission_checks(facts, obj, {path, mask, false, !early_write}));
    const bool writes = fl.write || fl.trunc;
    out.push_back(append_only_check(facts, obj, path, (fl.write && !fl.append) || fl.trunc,
                                    "it may be opened for writing only with O_APPEND, and never truncated"));
    if (fl.noatime) {
        if (owner_or_capable(facts.subject, obj))
            out.push_back(passed(Layer::Capability, path,
                                 obj.uid == facts.subject.fsuid ? "O_NOATIME: the subject owns it"
                                                                : "O_NOATIME: CAP_FOWNER"));
        else
            out.push_back(failed(Layer::Capability, path, EPERM,
                                 fmt::format("O_NOATIME: owned by {}; CAP_FOWNER absent or its owner unmapped",
                                             user_text(facts, obj.uid)),
                                 fmt::format("only the owner of {} ({}) or CAP_FOWNER may open it with O_NOATIME", path,
                                             user_text(facts, obj.uid)),
                                 "open it without O_NOATIME"));
    }
    // do_dentry_open(): write access on the inode (ETXTBSY), then on the
    // mount (EROFS of a read-only mount, after the permission bits).
    if (is_reg(obj) && writes) {
        out.push_back(text_busy_for_write(facts, path));
        if (early_write)
            out.push_back(skipped(Layer::Mount, path, "write access on the mount taken above for O_TRUNC"));
        else
            out.push_back(mount_ro_after_permission_check(facts, obj, path));
    }
    if (is_socket(obj))
        out.push_back(failed(Layer::Path, path, ENXIO, "a UNIX socket",
                             fmt::format("{} is a UNIX socket: it cannot be opened, only connected to", path),
                             fmt::format("connect to it instead (fdscope why connect unix {})", path)));
    return out;
}

}  // namespace

std::vector<Check> open_checks(const Facts& facts) {
    const OpenFlags& fl = facts.operation.open;
    std::vector<Check> out;
    if (fl.create && fl.directory)
        out.push_back(failed(Layer::Path, facts.operation.path, EINVAL, "O_CREAT with O_DIRECTORY",
                             "open refuses O_CREAT together with O_DIRECTORY (Linux 6.4 and later)",
                             "use mkdir to create a directory"));
    out.push_back(path_length_check(facts.operation.path, "the path"));
    // O_EXCL with O_CREAT never follows a trailing symlink.
    const bool follow = !fl.nofollow && !(fl.create && fl.excl);
    append_checks(out, walk_checks(facts, facts.walk, {follow, false, fl.create}));
    const WalkEnd end = walk_end(facts.walk, follow);
    if (!end.reached) {
        out.push_back(not_reached(Layer::Mode, facts.operation.path, "the checks of the file itself"));
        return out;
    }
    if (end.object == nullptr) {
        if (fl.create) append_checks(out, create_checks(facts, end));
        return out;
    }
    append_checks(out, existing_checks(facts, end));
    return out;
}

}  // namespace fdscope::report::why
