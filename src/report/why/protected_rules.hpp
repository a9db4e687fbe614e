// Sticky directories and the fs.protected_* sysctls: who may remove a
// name, create over an existing file, follow a symlink or hard-link a
// file in a shared directory. None of the protected_* rules yields to a
// capability but the hardlink one (CAP_FOWNER).
#pragma once
#include <string>

#include "report/why/check.hpp"

namespace fdscope::report::why {

using fdscope::why::Inode;

// check_sticky(): removing or renaming away a name in a sticky directory
// needs owning the file or the directory, or CAP_FOWNER over the file.
Check sticky_check(const Facts& facts, const Inode& dir, const std::string& dir_path, const Inode& victim,
                   const std::string& path);

// may_create_in_sticky(): O_CREAT of an existing file in a sticky
// directory (protected_regular, protected_fifos; other types always).
Check create_in_sticky_check(const Facts& facts, const Inode& dir, const std::string& dir_path, const Inode& object,
                             const std::string& path);

// may_follow_link(): a trailing symlink in a sticky world-writable
// directory (protected_symlinks).
Check follow_link_check(const Facts& facts, const Inode* dir, const std::string& dir_path, const Inode& link,
                        const std::string& path);

// may_linkat(): protected_hardlinks.
Check hardlink_check(const Facts& facts, const Inode& source, const std::string& path);

}  // namespace fdscope::report::why
