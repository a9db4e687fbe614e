#include "report/why/capability.hpp"

#include <linux/capability.h>

#include <fmt/format.h>

#include "report/why/subject_ids.hpp"

namespace fdscope::report::why {

bool has_capability(const Subject& subject, int cap) {
    if (cap < 0 || cap >= 64) return false;
    return ((subject.cap_effective >> cap) & 1u) != 0;
}

bool capable_wrt_inode(const Subject& subject, const Inode& inode, int cap) {
    return has_capability(subject, cap) && owner_mapped(subject, inode);
}

bool owner_or_capable(const Subject& subject, const Inode& inode) {
    if (subject.fsuid == inode.uid) return true;
    return id_maps(subject.uid_map, inode.uid) && has_capability(subject, CAP_FOWNER);
}

std::string capability_name(int cap) {
    switch (cap) {
    case CAP_CHOWN: return "CAP_CHOWN";
    case CAP_DAC_OVERRIDE: return "CAP_DAC_OVERRIDE";
    case CAP_DAC_READ_SEARCH: return "CAP_DAC_READ_SEARCH";
    case CAP_FOWNER: return "CAP_FOWNER";
    case CAP_LINUX_IMMUTABLE: return "CAP_LINUX_IMMUTABLE";
    case CAP_SYS_ADMIN: return "CAP_SYS_ADMIN";
    default: return fmt::format("capability {}", cap);
    }
}

std::string capability_state(const Facts& facts, const Inode& inode, int cap) {
    const std::string name = capability_name(cap);
    if (!has_capability(facts.subject, cap)) return name + " absent";
    if (!owner_mapped(facts.subject, inode))
        return name + " present but not counted (the owner is not mapped in the subject's user namespace)";
    return name + " present";
}

}  // namespace fdscope::report::why
