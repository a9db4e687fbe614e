// The user database (passwd and group through NSS): who a login as a user
// would be.
#pragma once
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace fdscope::sys {

struct UserEntry {
    uid_t uid = 0;
    gid_t gid = 0;  // the primary group
    std::string name;
};

// getpwnam_r / getpwuid_r; nullopt when there is no such entry (or the
// database cannot be read).
std::optional<UserEntry> user_by_name(const std::string& name);
std::optional<UserEntry> user_by_uid(uid_t uid);

// getgrgid_r: the group's name; nullopt when there is none.
std::optional<std::string> group_by_gid(gid_t gid);

// getgrouplist(name, gid): the groups initgroups() would give a login,
// `gid` included, in the database's order.
std::vector<gid_t> login_groups(const std::string& name, gid_t gid);

}  // namespace fdscope::sys
