// Words for values: what a person reads in the NAME and DETAIL columns.
#pragma once
#include <string>

#include "model/snapshot.hpp"

namespace fdscope::report {

// The name with what the kernel knows around it: "127.0.0.1:80 (LISTEN)",
// "10.0.0.1:5000 -> 10.0.0.5:5432 (ESTAB)", "/var/log/x (deleted)".
// Raw bytes: escape before printing.
std::string display_name(const OpenFile& f, const SocketInfo* sock);

// A socket with a peer (not "*:*" and not port 0).
bool is_connected(const SocketInfo& sock);


// fdinfo extras in a line: "count=7 id=3", "tfd=3,5", "clock=monotonic", ...
std::string detail_text(const FdDetail& d);

// "monotonic", "realtime", ... for timerfd clock ids.
std::string clock_name(int clockid);

// "SIGINT,SIGUSR1" for a signal mask.
std::string signal_names(std::uint64_t mask);

std::string dev_text(std::uint64_t dev);  // "major:minor"

// The user name collect::resolve_users found for a uid, else its number.
std::string user_name(const Snapshot& snap, uid_t uid);

}  // namespace fdscope::report
