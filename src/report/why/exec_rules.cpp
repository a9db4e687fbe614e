#include "report/why/exec_rules.hpp"

#include <cerrno>

#include <fmt/format.h>

#include "report/why/busy_rules.hpp"
#include "report/why/check_make.hpp"
#include "report/why/inode_permission.hpp"
#include "report/why/inode_type.hpp"
#include "report/why/mount_rules.hpp"
#include "report/why/walk_rules.hpp"

namespace fdscope::report::why {

std::vector<Check> exec_checks(const Facts& facts) {
    std::vector<Check> out;
    out.push_back(path_length_check(facts.operation.path, "the path"));
    append_checks(out, walk_checks(facts, facts.walk, {true, false, false}));
    const WalkEnd end = walk_end(facts.walk, true);
    if (!end.reached || end.object == nullptr) {
        if (end.reached) return out;  // the walk said ENOENT
        out.push_back(not_reached(Layer::Mode, facts.operation.path, "executing the file"));
        return out;
    }
    const Inode& obj = *end.object;
    const std::string& path = end.path;
    // may_open() with MAY_EXEC: only regular files, not on noexec mounts.
    if (!is_reg(obj)) {
        out.push_back(failed(Layer::Path, path, EACCES, fmt::format("a {}", type_word(obj)),
                             fmt::format("{} is a {}: only regular files can be executed", path, type_word(obj)),
                             "execute a regular file"));
        return out;
    }
    out.push_back(noexec_check(facts, obj, path));
    append_checks(out, inode_permission_checks(facts, obj, {path, kMayExec, false, true}));
    // deny_write_access(): not while someone writes it.
    out.push_back(text_busy_for_exec(facts, path));
    out.push_back(setid_exec_check(facts, obj, path));
    return out;
}

std::vector<Check> chdir_checks(const Facts& facts) {
    std::vector<Check> out;
    out.push_back(path_length_check(facts.operation.path, "the path"));
    append_checks(out, walk_checks(facts, facts.walk, {true, false, false}));
    const WalkEnd end = walk_end(facts.walk, true);
    if (!end.reached || end.object == nullptr) {
        if (!end.reached) out.push_back(not_reached(Layer::Search, facts.operation.path, "entering the directory"));
        return out;
    }
    const Inode& obj = *end.object;
    if (!is_dir(obj)) {
        out.push_back(failed(Layer::Path, end.path, ENOTDIR, fmt::format("a {}", type_word(obj)),
                             fmt::format("{} is a {}, not a directory", end.path, type_word(obj)),
                             "chdir into a directory"));
        return out;
    }
    append_checks(out, inode_permission_checks(facts, obj, {end.path, kMayExec, true, true}));
    return out;
}

}  // namespace fdscope::report::why
