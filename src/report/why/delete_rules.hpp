// Removing a name: may_delete() of fs/namei.c and the unlink and rmdir
// around it (EROFS comes before the lookup of the name).
#pragma once
#include <string>
#include <vector>

#include "report/why/check.hpp"

namespace fdscope::report::why {

using fdscope::why::Inode;

// may_delete(): write and search on the directory, an append-only
// directory, the sticky rule, the victim's flags, the victim's type
// against the operation's (isdir: rmdir, or rename of a directory).
std::vector<Check> may_delete_checks(const Facts& facts, const Inode& dir, const std::string& dir_path,
                                     const Inode& victim, const std::string& path, bool isdir);

// An empty directory: rmdir and rename onto a directory need one.
Check empty_dir_check(const Inode& dir, const std::string& path);

std::vector<Check> unlink_checks(const Facts& facts);
std::vector<Check> rmdir_checks(const Facts& facts);

}  // namespace fdscope::report::why
