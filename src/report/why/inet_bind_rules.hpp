// bind() of an IPv4 or IPv6 socket (net/ipv4/af_inet.c __inet_bind): the
// port floor net.ipv4.ip_unprivileged_port_start (per network namespace)
// without CAP_NET_BIND_SERVICE gives EACCES; a socket already on an
// overlapping address gives EADDRINUSE (inet_csk_bind_conflict,
// inet_rcv_saddr_equal: a wildcard overlaps every address of its family,
// and a dual-stack IPv6 wildcard the IPv4 ones too).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "report/why/check.hpp"

namespace fdscope::report::why {

struct InetAddress {
    int family = 0;              // AF_INET, AF_INET6
    bool wildcard = false;
    bool v4mapped = false;       // ::ffff:a.b.c.d
    std::array<unsigned char, 16> bytes{};  // IPv4 in the first four
    std::uint16_t port = 0;
};

// "127.0.0.1:80", "[::]:80", "*:80", ":::80", "0.0.0.0:53"; none if unreadable.
std::optional<InetAddress> parse_local(std::string_view local);

// Whether a socket bound to `b` keeps one from binding `a` (ports and
// addresses; reuse options are the caller's). `b_v6only`: b is IPv6-only.
bool addresses_overlap(const InetAddress& a, const InetAddress& b, bool b_v6only);

}  // namespace fdscope::report::why
