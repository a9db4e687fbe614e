// How the rules print an inode: "drwx------ root:root, no ACL".
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "model/why_facts.hpp"

namespace fdscope::report::why {

using fdscope::why::Facts;
using fdscope::why::Inode;

std::string mode_string(std::uint32_t mode);  // ls -l style, "drwxrwxrwt"
std::string perm_letters(unsigned bits);      // the low three bits, "r-x"
std::string owner_text(const Facts& facts, const Inode& inode);  // "root:root", "1001:1001"
std::string acl_text(const Facts& facts, const Inode& inode);    // "no ACL", "ACL u::rw-,u:app:r--,..."
// Mode, owner and ACL: "drwx------ root:root, no ACL".
std::string inode_short_text(const Facts& facts, const Inode& inode);
// The same, and the owner's mapping when the subject's user namespace
// does not map it.
std::string inode_text(const Facts& facts, const Inode& inode);

// The parent directory of a path as written: "/srv/app" for "/srv/app/x",
// "/" for "/x", "." for a single relative name.
std::string parent_of(std::string_view path);

}  // namespace fdscope::report::why
