#include "report/why/rename_rules.hpp"

#include <cerrno>

#include <fmt/format.h>

#include "report/why/busy_rules.hpp"
#include "report/why/check_make.hpp"
#include "report/why/delete_rules.hpp"
#include "report/why/filesystem_rules.hpp"
#include "report/why/inode_permission.hpp"
#include "report/why/inode_type.hpp"
#include "report/why/mount_rules.hpp"
#include "report/why/walk_rules.hpp"

namespace fdscope::report::why {

namespace {

using fdscope::why::Walk;

bool under(const std::string& path, const std::string& dir) {
    return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

// Moving a directory into itself: the kernel compares dentries (the trap
// of lock_rename); the paths as walked stand for them.
Check subtree_check(const WalkEnd& from, const WalkEnd& to) {
    if (!under(to.path, from.path)) return passed(Layer::Path, to.path, "NEW is not inside OLD");
    return failed(Layer::Path, to.path, EINVAL, fmt::format("{} is inside {}", to.path, from.path),
                  fmt::format("{} cannot be moved into itself ({})", from.path, to.path), "pick a NEW outside OLD");
}

}  // namespace

std::vector<Check> rename_checks(const Facts& facts) {
    std::vector<Check> out;
    const Walk* new_walk = two_path_walks(facts, {false, true, false}, out);
    if (!new_walk) return out;
    const Walk& walk2 = *new_walk;
    const WalkEnd from = walk_end(facts.walk, false);
    const WalkEnd to = walk_end(walk2, false);
    if (!from.reached || !to.reached) {
        out.push_back(not_reached(Layer::Mode, from.reached ? walk2.path : facts.walk.path, "renaming"));
        return out;
    }
    // Both parents on one mount, then plain last names, then write access
    // on the mount, then the names themselves.
    if (from.dir != nullptr && to.dir != nullptr)
        out.push_back(
            cross_mount_check(facts, *from.dir, from.dir_path, to.dir->mount_id, to.dir, to.dir_path, false));
    for (const Walk* w : {&facts.walk, &walk2}) {
        if (const std::string dot = special_last_name(*w); !dot.empty()) {
            out.push_back(failed(Layer::Busy, w->path, EBUSY, fmt::format("the last component is {}", dot),
                                 fmt::format("{} ends in {}: rename does not take it", w->path, dot),
                                 "name the directory by its own name"));
            return out;
        }
    }
    const Inode& from_dir = *from.dir;
    const Inode& to_dir = *to.dir;
    out.push_back(want_write_check(facts, from_dir.mount_id, from.dir_path, "to rename in it"));
    append_checks(out, last_name_checks(facts, facts.walk, true));
    append_checks(out, last_name_checks(facts, walk2, false));
    if (from.object == nullptr) return out;
    const Inode& source = *from.object;
    const bool is_dir_move = is_dir(source);
    if (is_dir_move) out.push_back(subtree_check(from, to));
    if (to.object != nullptr && same_inode(source, *to.object)) {
        out.push_back(passed(Layer::Path, to.path, "OLD and NEW are the same file: rename does nothing"));
        return out;
    }
    // vfs_rename(): may_delete OLD, then may_create or may_delete NEW.
    append_checks(out, may_delete_checks(facts, from_dir, from.dir_path, source, from.path, is_dir_move));
    if (to.object == nullptr)
        append_checks(out, inode_permission_checks(facts, to_dir, {to.dir_path, kMayWrite | kMayExec, false, false}));
    else
        append_checks(out, may_delete_checks(facts, to_dir, to.dir_path, *to.object, to.path, is_dir_move));
    // A directory changing parents rewrites its "..": write on it too.
    if (is_dir_move && !same_inode(from_dir, to_dir))
        append_checks(out, inode_permission_checks(facts, source, {from.path, kMayWrite, false, false}));
    out.push_back(mount_point_check(facts, from_dir, source, from.path));
    if (to.object != nullptr) out.push_back(mount_point_check(facts, to_dir, *to.object, to.path));
    if (is_dir_move) out.push_back(overlay_dir_rename_check(facts, source, from.path));
    if (to.object != nullptr && is_dir(*to.object) && is_dir_move) out.push_back(empty_dir_check(*to.object, to.path));
    return out;
}

}  // namespace fdscope::report::why
