// Who holds the address a bind or connect names, in the subject's network
// namespace: for inet, every socket on the same protocol and port (all
// states sock_diag lists) with every process holding it, inheritors
// included; for a UNIX path, the socket bound at that very file (matched
// by device and inode, not by the name it was bound with) and its holders.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/why_facts.hpp"
#include "why/holders.hpp"

namespace fdscope::why {

// Op::BindInet: operation.protocol (IPPROTO_TCP/UDP) and operation.port,
// both address families (an IPv6 wildcard takes the IPv4 port too); for
// TCP also the TIME-WAIT connections (no holders: the kernel keeps them).
// What could not be read (the namespace, a table) goes to `unreadable`,
// including when the subject's namespace is not the one read.
std::vector<SocketHolder> inet_address_holders(const Subject& subject, const Operation& operation,
                                               std::vector<std::string>& unreadable);

// Op::BindUnix / Op::ConnectUnix: the socket file at the path (stat'ed by
// the walk). Empty: no socket is bound there, the file is stale.
std::vector<SocketHolder> unix_address_holders(const Subject& subject, FileId socket_file,
                                               std::vector<std::string>& unreadable);

}  // namespace fdscope::why
