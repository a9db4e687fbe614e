#include "report/why/create_rules.hpp"

#include <cerrno>

#include <fmt/format.h>

#include "report/why/busy_rules.hpp"
#include "report/why/check_make.hpp"
#include "report/why/filesystem_rules.hpp"
#include "report/why/inode_permission.hpp"
#include "report/why/inode_type.hpp"
#include "report/why/mount_rules.hpp"
#include "report/why/protected_rules.hpp"
#include "report/why/walk_rules.hpp"

namespace fdscope::report::why {

namespace {

std::string_view noun(Creates what) {
    switch (what) {
    case Creates::Directory: return "directory";
    case Creates::Symlink: return "symlink";
    case Creates::HardLink: return "link";
    case Creates::Socket: return "socket";
    }
    return "name";
}

}  // namespace

std::vector<Check> filename_create_checks(const Facts& facts, const Walk& walk, Creates what) {
    std::vector<Check> out;
    if (const std::string dot = special_last_name(walk); !dot.empty()) {
        const int error = what == Creates::Socket ? EADDRINUSE : EEXIST;
        out.push_back(failed(what == Creates::Socket ? Layer::Busy : Layer::Path, walk.path, error,
                             fmt::format("the last component is {}", dot),
                             fmt::format("{} ends in {}, which always exists", walk.path, dot),
                             fmt::format("name the new {} explicitly", noun(what))));
        return out;
    }
    const WalkEnd end = walk_end(walk, false);
    append_checks(out, last_name_checks(facts, walk, false));
    if (!end.reached) {
        out.push_back(not_reached(Layer::Mode, walk.path, "creating the name"));
        return out;
    }
    // filename_create(): an existing name wins over a read-only mount.
    if (what == Creates::Socket) {
        // unix_bind_bsd() turns EEXIST into EADDRINUSE.
        out.push_back(unix_path_in_use(facts, end.object, end.path));
    } else if (end.object != nullptr) {
        out.push_back(failed(Layer::Path, end.path, EEXIST, fmt::format("{} exists ({})", end.path, type_word(*end.object)),
                             fmt::format("{} already exists", end.path),
                             fmt::format("remove it first or pick another name for the {}", noun(what))));
    }
    const Inode& dir = *end.dir;
    out.push_back(want_write_check(facts, dir.mount_id, end.dir_path, "to create a name in it"));
    // may_create(): write and search on the parent; the superblock was
    // judged with the mount just above.
    append_checks(out, inode_permission_checks(facts, dir, {end.dir_path, kMayWrite | kMayExec, false, false}));
    return out;
}

std::vector<Check> mkdir_checks(const Facts& facts) {
    std::vector<Check> out;
    out.push_back(path_length_check(facts.operation.path, "the path"));
    append_checks(out, walk_checks(facts, facts.walk, {false, true, false}));
    append_checks(out, filename_create_checks(facts, facts.walk, Creates::Directory));
    return out;
}

std::vector<Check> symlink_checks(const Facts& facts) {
    std::vector<Check> out;
    // The target is only stored, never resolved: only its length counts.
    out.push_back(path_length_check(facts.operation.path, "the target"));
    out.push_back(path_length_check(facts.operation.path2, "the link's path"));
    append_checks(out, walk_checks(facts, facts.walk, {false, true, false}));
    append_checks(out, filename_create_checks(facts, facts.walk, Creates::Symlink));
    return out;
}

// do_linkat(): OLD is looked up (not followed), NEW created; EXDEV across
// mounts, protected_hardlinks, may_create, then vfs_link()'s own refusals.
std::vector<Check> link_checks(const Facts& facts) {
    std::vector<Check> out;
    const Walk* new_walk = two_path_walks(facts, {false, false, false}, out);
    if (!new_walk) return out;
    const Walk& walk2 = *new_walk;
    if (const std::string dot = special_last_name(walk2); !dot.empty()) {
        out.push_back(failed(Layer::Path, walk2.path, EEXIST, fmt::format("the last component is {}", dot),
                             fmt::format("{} ends in {}, which always exists", walk2.path, dot),
                             "name the new link explicitly"));
        return out;
    }
    const WalkEnd old_end = walk_end(facts.walk, false);
    const WalkEnd new_end = walk_end(walk2, false);
    append_checks(out, last_name_checks(facts, walk2, false));
    if (!new_end.reached) {
        out.push_back(not_reached(Layer::Mode, walk2.path, "creating the link"));
        return out;
    }
    if (new_end.object != nullptr)
        out.push_back(failed(Layer::Path, new_end.path, EEXIST,
                             fmt::format("{} exists ({})", new_end.path, type_word(*new_end.object)),
                             fmt::format("{} already exists", new_end.path), "remove it first or pick another name"));
    const Inode& new_dir = *new_end.dir;
    out.push_back(want_write_check(facts, new_dir.mount_id, new_end.dir_path, "to create a name in it"));
    if (!old_end.reached || old_end.object == nullptr) {
        out.push_back(not_reached(Layer::Filesystem, facts.operation.path, "linking OLD"));
        append_checks(out, inode_permission_checks(facts, new_dir, {new_end.dir_path, kMayWrite | kMayExec, false, false}));
        return out;
    }
    const Inode& old = *old_end.object;
    out.push_back(cross_mount_check(facts, old, old_end.path, new_dir.mount_id, &new_dir, new_end.path, true));
    out.push_back(hardlink_check(facts, old, old_end.path));
    append_checks(out, inode_permission_checks(facts, new_dir, {new_end.dir_path, kMayWrite | kMayExec, false, false}));
    out.push_back(append_only_check(facts, old, old_end.path, true, "it cannot get another name"));
    out.push_back(immutable_check(facts, old, old_end.path, "it cannot get another name"));
    if (is_dir(old))
        out.push_back(failed(Layer::Path, old_end.path, EPERM, "a directory",
                             fmt::format("{} is a directory: directories cannot be hard-linked", old_end.path),
                             fmt::format("use a symlink (ln -s {} {}) or a bind mount", old_end.path, new_end.path)));
    return out;
}

}  // namespace fdscope::report::why
