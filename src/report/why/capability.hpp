// Capabilities as the VFS asks for them: in the subject's own user
// namespace, and over an inode only when its owner maps there
// (capable_wrt_inode_uidgid, inode_owner_or_capable).
#pragma once
#include <string>

#include "model/why_facts.hpp"

namespace fdscope::report::why {

using fdscope::why::Facts;
using fdscope::why::Inode;
using fdscope::why::Subject;

bool has_capability(const Subject& subject, int cap);
bool capable_wrt_inode(const Subject& subject, const Inode& inode, int cap);
// The fs uid owns the inode, or CAP_FOWNER with the owner's uid mapped.
bool owner_or_capable(const Subject& subject, const Inode& inode);

std::string capability_name(int cap);
// "CAP_DAC_OVERRIDE absent", "CAP_FOWNER present", "CAP_DAC_OVERRIDE present
// but not counted (the owner is not mapped in the subject's user namespace)"
std::string capability_state(const Facts& facts, const Inode& inode, int cap);

}  // namespace fdscope::report::why
