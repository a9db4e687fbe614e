// The path walk of fs/namei.c, step by step: the argument's length
// (PATH_MAX), search permission on every directory a name is looked up in,
// the name against its filesystem's NAME_MAX, ENOENT, ENOTDIR, and each
// symlink followed (40 at most, protected_symlinks for the trailing one,
// nosymfollow), plus the filesystem rules of every mount entered.
//
// Reading of the facts: the steps are in the kernel's order; a followed
// symlink's target steps come right after it; the trailing symlink of the
// path carries Step::last (and so may the final step of its target); an
// operation that follows the trailing link ends at the last step, one that
// does not ends at the first step marked last.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "report/why/check.hpp"

namespace fdscope::report::why {

using fdscope::why::Inode;
using fdscope::why::Step;
using fdscope::why::Walk;

inline constexpr std::size_t kPathMax = 4096;        // including the NUL
inline constexpr std::uint32_t kMaxSymlinks = 40;    // MAXSYMLINKS, one count per lookup

// getname(): ENOENT for "", ENAMETOOLONG from PATH_MAX bytes on. `what`
// names the argument ("the path", "NEW").
Check path_length_check(const std::string& path, const std::string& what);

struct WalkRules {
    bool follow_last = false;          // the operation follows a trailing symlink
    bool parent_only = false;          // the operation looks the last name up itself (create, delete, rename)
    bool last_may_be_missing = false;  // a missing last name is not an error (open O_CREAT)
};

// Where the walk ends, for the operation's own checks.
struct WalkEnd {
    const Step* step = nullptr;
    const Inode* object = nullptr;     // null: the last name does not exist
    const Inode* dir = nullptr;        // the directory holding the last name (null for "/")
    std::string path, dir_path;
    bool reached = false;              // every directory before the last name exists
};
WalkEnd walk_end(const Walk& walk, bool follow_last);

std::vector<Check> walk_checks(const Facts& facts, const Walk& walk, const WalkRules& rules);

// The two paths of rename and link: both lengths, OLD's walk with
// `old_rules`, NEW's for a name to create; NEW's walk, or null (with an
// Unknown check added) when it was not read.
const Walk* two_path_walks(const Facts& facts, const WalkRules& old_rules, std::vector<Check>& out);

// The last component when it is not a plain name (the kernel's LAST_DOT,
// LAST_DOTDOT, LAST_ROOT): ".", ".." or "/"; "" for a plain name. Create,
// delete and rename refuse these before anything else.
std::string special_last_name(const Walk& walk);

// For parent_only walks, at the point the operation looks the last name
// up: NAME_MAX, and ENOENT when the name must exist.
std::vector<Check> last_name_checks(const Facts& facts, const Walk& walk, bool must_exist);

}  // namespace fdscope::report::why
