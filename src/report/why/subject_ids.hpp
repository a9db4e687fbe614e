// The subject's ids against an inode's: user namespace maps, group
// membership, and the names the rules print.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/why_facts.hpp"

namespace fdscope::report::why {

using fdscope::why::Facts;
using fdscope::why::IdMapExtent;
using fdscope::why::Inode;
using fdscope::why::Subject;

// A host id maps into a namespace whose map is `map` (empty: the initial
// namespace, where every id maps).
bool id_maps(const std::vector<IdMapExtent>& map, std::uint32_t host_id);

// in_group_p(): the fs gid or a supplementary group.
bool in_group(const Subject& subject, gid_t gid);

// The inode's uid and gid both map into the subject's user namespace
// (privileged_wrt_inode_uidgid).
bool owner_mapped(const Subject& subject, const Inode& inode);

// "owner 0:0 is not mapped in the subject's user namespace (shown there as 65534)"
std::string unmapped_owner_text(const Facts& facts, const Inode& inode);

// Names from Facts::user_names / group_names, else the number.
std::string user_text(const Facts& facts, uid_t uid);
std::string group_text(const Facts& facts, gid_t gid);

// "uid 1001 (app)": the fs uid, the one permission checks use.
std::string subject_text(const Facts& facts);
// The subject as setfacl and chown accept it: its name, else its number.
std::string subject_user_arg(const Facts& facts);

}  // namespace fdscope::report::why
