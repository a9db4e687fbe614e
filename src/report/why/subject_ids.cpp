#include "report/why/subject_ids.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace fdscope::report::why {

bool id_maps(const std::vector<IdMapExtent>& map, std::uint32_t host_id) {
    if (map.empty()) return true;
    return std::any_of(map.begin(), map.end(), [host_id](const IdMapExtent& e) {
        return host_id >= e.outside && std::uint64_t{host_id} < std::uint64_t{e.outside} + e.count;
    });
}

bool in_group(const Subject& subject, gid_t gid) {
    return subject.fsgid == gid ||
           std::find(subject.groups.begin(), subject.groups.end(), gid) != subject.groups.end();
}

bool owner_mapped(const Subject& subject, const Inode& inode) {
    return id_maps(subject.uid_map, inode.uid) && id_maps(subject.gid_map, inode.gid);
}

std::string unmapped_owner_text(const Facts& facts, const Inode& inode) {
    const Subject& s = facts.subject;
    const bool uid_ok = id_maps(s.uid_map, inode.uid);
    const bool gid_ok = id_maps(s.gid_map, inode.gid);
    if (uid_ok && gid_ok) return {};
    std::string what;
    if (!uid_ok && !gid_ok)
        what = fmt::format("owner {}:{}", inode.uid, inode.gid);
    else if (!uid_ok)
        what = fmt::format("owner uid {}", inode.uid);
    else
        what = fmt::format("group gid {}", inode.gid);
    return what + " is not mapped in the subject's user namespace (shown there as 65534)";
}

std::string user_text(const Facts& facts, uid_t uid) {
    if (auto it = facts.user_names.find(uid); it != facts.user_names.end() && !it->second.empty())
        return it->second;
    if (uid == facts.subject.euid && !facts.subject.user_name.empty()) return facts.subject.user_name;
    return std::to_string(uid);
}

std::string group_text(const Facts& facts, gid_t gid) {
    if (auto it = facts.group_names.find(gid); it != facts.group_names.end() && !it->second.empty())
        return it->second;
    return std::to_string(gid);
}

std::string subject_text(const Facts& facts) {
    const uid_t uid = facts.subject.fsuid;
    const std::string name = user_text(facts, uid);
    if (name == std::to_string(uid)) return fmt::format("uid {}", uid);
    return fmt::format("uid {} ({})", uid, name);
}

std::string subject_user_arg(const Facts& facts) { return user_text(facts, facts.subject.fsuid); }

}  // namespace fdscope::report::why
