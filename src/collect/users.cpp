#include "collect/users.hpp"

#include <charconv>
#include <pwd.h>
#include <vector>

namespace fdscope::collect {

void resolve_users(Snapshot& snap) {
    std::vector<char> buf(16384);
    for (const auto& p : snap.processes) {
        if (snap.users.count(p.uid)) continue;
        struct passwd pw {}, *res = nullptr;
        if (::getpwuid_r(p.uid, &pw, buf.data(), buf.size(), &res) == 0 && res)
            snap.users.emplace(p.uid, res->pw_name);
        else
            snap.users.emplace(p.uid, std::to_string(p.uid));
    }
}

std::optional<uid_t> lookup_user(const std::string& s) {
    uid_t uid = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), uid);
    if (ec == std::errc() && p == s.data() + s.size()) return uid;
    std::vector<char> buf(16384);
    struct passwd pw {}, *res = nullptr;
    if (::getpwnam_r(s.c_str(), &pw, buf.data(), buf.size(), &res) == 0 && res) return res->pw_uid;
    return std::nullopt;
}

}  // namespace fdscope::collect
