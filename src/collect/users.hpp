// User names for the uids in a snapshot (getpwuid_r: /etc/passwd, NSS).
#pragma once
#include <optional>
#include <string>

#include "model/snapshot.hpp"

namespace fdscope::collect {

// Fills snap.users for every process uid; unknown uids get their number.
void resolve_users(Snapshot& snap);

// The uid of a user name or number; nullopt if neither.
std::optional<uid_t> lookup_user(const std::string& name_or_uid);

}  // namespace fdscope::collect
