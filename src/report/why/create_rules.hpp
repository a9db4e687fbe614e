// Creating a name: filename_create() and may_create() of fs/namei.c, as
// mkdir, symlink, link (its NEW) and bind() of a UNIX socket use them:
// the last name's lookup, EEXIST before EROFS, then write and search
// permission on the parent.
#pragma once
#include <vector>

#include "report/why/check.hpp"

namespace fdscope::report::why {

using fdscope::why::Walk;

enum class Creates { Directory, Symlink, HardLink, Socket };

// After the walk to the parent (walk_checks with parent_only).
std::vector<Check> filename_create_checks(const Facts& facts, const Walk& walk, Creates what);

std::vector<Check> mkdir_checks(const Facts& facts);
std::vector<Check> symlink_checks(const Facts& facts);
std::vector<Check> link_checks(const Facts& facts);

}  // namespace fdscope::report::why
