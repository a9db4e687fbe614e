// The socket table of the subject's network namespace (sock_diag, the
// /proc/PID/net fallback), read through the subject (a helper thread
// enters its namespace) or, for a user or the caller, ours.
#pragma once
#include <string>
#include <vector>

#include "model/why_facts.hpp"
#include "netlink/sock_diag.hpp"

namespace fdscope::why {

// What could not be read (the namespace, a family) goes to `unreadable`.
netlink::SocketMap subject_sockets(const Subject& subject, std::vector<std::string>& unreadable);

}  // namespace fdscope::why
