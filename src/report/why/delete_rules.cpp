#include "report/why/delete_rules.hpp"

#include <cerrno>

#include <fmt/format.h>

#include "report/why/busy_rules.hpp"
#include "report/why/check_make.hpp"
#include "report/why/inode_permission.hpp"
#include "report/why/inode_type.hpp"
#include "report/why/mount_rules.hpp"
#include "report/why/protected_rules.hpp"
#include "report/why/walk_rules.hpp"

namespace fdscope::report::why {

namespace {

std::vector<Check> remove_checks(const Facts& facts, bool isdir) {
    std::vector<Check> out;
    out.push_back(path_length_check(facts.operation.path, "the path"));
    append_checks(out, walk_checks(facts, facts.walk, {false, true, false}));
    // do_unlinkat()/do_rmdir() refuse ".", ".." and "/" before anything else.
    if (const std::string dot = special_last_name(facts.walk); !dot.empty()) {
        const int error = !isdir ? EISDIR : dot == "." ? EINVAL : dot == ".." ? ENOTEMPTY : EBUSY;
        out.push_back(failed(Layer::Path, facts.walk.path, error, fmt::format("the last component is {}", dot),
                             fmt::format("{} ends in {}: {} does not take it", facts.walk.path, dot,
                                         isdir ? "rmdir" : "unlink"),
                             "name the directory by its own name (rmdir /path/to/dir)"));
        return out;
    }
    const WalkEnd end = walk_end(facts.walk, false);
    if (!end.reached) {
        out.push_back(not_reached(Layer::Mode, facts.operation.path, "removing the name"));
        return out;
    }
    // do_unlinkat()/do_rmdir(): write access on the mount, then the lookup.
    out.push_back(want_write_check(facts, end.dir->mount_id, end.dir_path, "to remove a name from it"));
    append_checks(out, last_name_checks(facts, facts.walk, true));
    if (end.object == nullptr) return out;
    append_checks(out, may_delete_checks(facts, *end.dir, end.dir_path, *end.object, end.path, isdir));
    out.push_back(mount_point_check(facts, *end.dir, *end.object, end.path));
    if (isdir && is_dir(*end.object)) out.push_back(empty_dir_check(*end.object, end.path));
    return out;
}

}  // namespace

std::vector<Check> may_delete_checks(const Facts& facts, const Inode& dir, const std::string& dir_path,
                                     const Inode& victim, const std::string& path, bool isdir) {
    std::vector<Check> out;
    append_checks(out, inode_permission_checks(facts, dir, {dir_path, kMayWrite | kMayExec, false, false}));
    out.push_back(append_only_check(facts, dir, dir_path, true, "names can be added to it but not removed"));
    out.push_back(sticky_check(facts, dir, dir_path, victim, path));
    out.push_back(append_only_check(facts, victim, path, true, "it cannot be removed or renamed"));
    out.push_back(immutable_check(facts, victim, path, "it cannot be removed or renamed, by root either"));
    if (victim.swapfile)
        out.push_back(failed(Layer::Busy, path, EPERM, "an active swap file",
                             fmt::format("{} is in use as swap", path), fmt::format("swapoff {} first", path)));
    if (isdir && !is_dir(victim))
        out.push_back(failed(Layer::Path, path, ENOTDIR, fmt::format("a {}", type_word(victim)),
                             fmt::format("{} is a {}, not a directory", path, type_word(victim)),
                             fmt::format("use unlink (rm {})", path)));
    if (!isdir && is_dir(victim))
        out.push_back(failed(Layer::Path, path, EISDIR, "a directory", fmt::format("{} is a directory", path),
                             fmt::format("use rmdir {} (or rm -r)", path)));
    return out;
}

Check empty_dir_check(const Inode& dir, const std::string& path) {
    if (!dir.empty)
        return noted(Layer::Path, path, "must be empty (ENOTEMPTY otherwise); whether it is was not read");
    if (*dir.empty) return passed(Layer::Path, path, "empty");
    return failed(Layer::Path, path, ENOTEMPTY, "not empty", fmt::format("{} is not empty", path),
                  fmt::format("remove what is in it first (ls -A {}), or rm -r {}", path, path));
}

std::vector<Check> unlink_checks(const Facts& facts) { return remove_checks(facts, false); }

std::vector<Check> rmdir_checks(const Facts& facts) { return remove_checks(facts, true); }

}  // namespace fdscope::report::why
