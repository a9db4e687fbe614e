// Pure parsers for the /proc/net text tables, the fallback when sock_diag
// is unavailable for a family or namespace.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "netlink/sock_diag.hpp"

namespace fdscope::netlink {

// /proc/net/tcp, tcp6, udp, udp6, raw, raw6 (kind says which).
void parse_proc_net_inet(std::string_view text, Kind kind, std::uint64_t netns, SocketMap& out);
// The TIME-WAIT rows of /proc/net/tcp or tcp6 (kind Tcp or Tcp6), which
// the function above and sock_diag's dump leave out (they have no inode)
// but which still hold their port against a bind without SO_REUSEADDR.
std::vector<SocketInfo> parse_proc_net_time_wait(std::string_view text, Kind kind);

// /proc/net/unix
void parse_proc_net_unix(std::string_view text, std::uint64_t netns, SocketMap& out);
// /proc/net/netlink
void parse_proc_net_netlink(std::string_view text, std::uint64_t netns, SocketMap& out);
// /proc/net/packet
void parse_proc_net_packet(std::string_view text, std::uint64_t netns, SocketMap& out);

}  // namespace fdscope::netlink
