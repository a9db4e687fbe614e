#include "sys/user_db.hpp"

#include <cerrno>
#include <grp.h>
#include <pwd.h>

namespace fdscope::sys {

namespace {

// getpw*_r with a buffer that grows while the entry does not fit (ERANGE).
template <class Call>
std::optional<UserEntry> passwd_entry(Call call) {
    std::vector<char> buf(4096);
    for (;;) {
        struct passwd pw{}, *res = nullptr;
        int rc = call(pw, buf, res);
        if (rc == ERANGE && buf.size() < (1u << 20)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (rc != 0 || !res) return std::nullopt;
        return UserEntry{res->pw_uid, res->pw_gid, res->pw_name};
    }
}

}  // namespace

std::optional<UserEntry> user_by_name(const std::string& name) {
    return passwd_entry([&](struct passwd& pw, std::vector<char>& buf, struct passwd*& res) {
        return ::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &res);
    });
}

std::optional<UserEntry> user_by_uid(uid_t uid) {
    return passwd_entry([&](struct passwd& pw, std::vector<char>& buf, struct passwd*& res) {
        return ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &res);
    });
}

std::optional<std::string> group_by_gid(gid_t gid) {
    std::vector<char> buf(4096);
    for (;;) {
        struct group gr{}, *res = nullptr;
        const int rc = ::getgrgid_r(gid, &gr, buf.data(), buf.size(), &res);
        if (rc == ERANGE && buf.size() < (1u << 20)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (rc != 0 || !res) return std::nullopt;
        return std::string(res->gr_name);
    }
}

std::vector<gid_t> login_groups(const std::string& name, gid_t gid) {
    std::vector<gid_t> groups(32);
    for (;;) {
        int n = static_cast<int>(groups.size());
        if (::getgrouplist(name.c_str(), gid, groups.data(), &n) >= 0) {
            groups.resize(static_cast<std::size_t>(n));
            return groups;
        }
        // -1: too small, and n now holds the size needed.
        if (static_cast<std::size_t>(n) <= groups.size()) groups.resize(groups.size() * 2);
        else groups.resize(static_cast<std::size_t>(n));
    }
}

}  // namespace fdscope::sys
