// How socket fields are spelled, shared by the sock_diag reader and the
// /proc/net parsers so both sources produce identical strings for the same
// socket. Header-only (and free of I/O) so the fuzz target can build the
// parsers from proc_net.cpp alone.
//
// Spellings, chosen to match `ss -n`:
//   state   "ESTAB", "LISTEN", "SYN-SENT", ... ; "CLOSE" for a TCP socket in
//           TCP_CLOSE (ss prints "UNCONN" there, we keep TCP's own name);
//           "UNCONN" for unconnected UDP, RAW, UNIX, NETLINK and PACKET.
//   inet    "127.0.0.1:8080", "0.0.0.0:80", "[::1]:22", "[::]:80",
//           "[::ffff:127.0.0.1]:80" (v4-mapped stays IPv6). No DNS, no
//           service names, no "%iface" scope (procfs has no such column, and
//           both sources must agree). A remote end that is all zeros with
//           port 0 (listeners, unconnected datagram sockets) is "".
//   unix    the bound path, bytes as they are, cut at the first NUL; an
//           abstract name is "@" + name with embedded NULs shown as '@'
//           (the kernel's own /proc/net/unix spelling, also ss's).
//   packet  "<iface>:<proto>" where iface is the interface name when it can
//           be resolved in the socket's namespace, else the decimal ifindex,
//           "*" when not bound to one; proto is "ALL" for ETH_P_ALL and
//           "0x%04x" otherwise (host order), e.g. "eth0:ALL", "*:0x0800".
#pragma once
#include <arpa/inet.h>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <string>
#include <string_view>
#include <sys/socket.h>

namespace fdscope::netlink::fmt {

// Kernel TCP states (include/net/tcp_states.h); the userspace headers of
// older distributions lack the last ones.
enum TcpState : unsigned {
    kEstablished = 1, kSynSent, kSynRecv, kFinWait1, kFinWait2, kTimeWait, kClose,
    kCloseWait, kLastAck, kListen, kClosing, kNewSynRecv, kBoundInactive,
};

inline std::string_view tcp_state_name(unsigned st) {
    switch (st) {
        case kEstablished: return "ESTAB";
        case kSynSent: return "SYN-SENT";
        case kSynRecv: return "SYN-RECV";
        case kFinWait1: return "FIN-WAIT-1";
        case kFinWait2: return "FIN-WAIT-2";
        case kTimeWait: return "TIME-WAIT";
        case kClose: return "CLOSE";
        case kCloseWait: return "CLOSE-WAIT";
        case kLastAck: return "LAST-ACK";
        case kListen: return "LISTEN";
        case kClosing: return "CLOSING";
        case kNewSynRecv: return "SYN-RECV";
        // A bound, never-listening TCP socket (sk_state is TCP_CLOSE; since
        // 6.5 inet_diag reports it as TCP_BOUND_INACTIVE).
        case kBoundInactive: return "CLOSE";
    }
    return "UNKNOWN";
}

// UDP, RAW, UNIX (diag), NETLINK, PACKET: TCP_CLOSE means "not connected".
inline std::string_view dgram_state_name(unsigned st) {
    return st == kClose ? std::string_view("UNCONN") : tcp_state_name(st);
}

// /proc/net/unix "St" column (socket_state: SS_UNCONNECTED=1 ...), mapped
// the way ss maps it; the listening flag is handled by the caller.
inline std::string_view unix_proc_state_name(unsigned st) {
    switch (st) {
        case 1: return "UNCONN";
        case 2: return "SYN-SENT";
        case 3: return "ESTAB";
        case 4: return "CLOSING";
    }
    return "UNKNOWN";
}

// addr points at 4 (AF_INET) or 16 (AF_INET6) bytes in network order.
inline std::string format_inet(int family, const void* addr, std::uint16_t port) {
    char buf[INET6_ADDRSTRLEN + 16];
    char text[INET6_ADDRSTRLEN] = "?";
    if (!inet_ntop(family, addr, text, sizeof text)) std::strcpy(text, "?");
    if (family == AF_INET6)
        std::snprintf(buf, sizeof buf, "[%s]:%u", text, static_cast<unsigned>(port));
    else
        std::snprintf(buf, sizeof buf, "%s:%u", text, static_cast<unsigned>(port));
    return buf;
}

inline bool all_zero(const void* addr, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(addr);
    for (std::size_t i = 0; i < n; ++i)
        if (p[i]) return false;
    return true;
}

// The remote end: "" when unconnected (all-zero address and port 0).
inline std::string format_inet_remote(int family, const void* addr, std::uint16_t port) {
    if (port == 0 && all_zero(addr, family == AF_INET6 ? 16 : 4)) return {};
    return format_inet(family, addr, port);
}

// sun_path bytes as the kernel stores them (len excludes sun_family).
inline std::string format_unix_name(const char* path, std::size_t len) {
    if (len == 0) return {};
    if (path[0] != '\0') {
        const void* nul = std::memchr(path, '\0', len);
        if (nul) len = static_cast<std::size_t>(static_cast<const char*>(nul) - path);
        return std::string(path, len);
    }
    std::string s(path, len);
    for (char& c : s)
        if (c == '\0') c = '@';
    return s;
}

inline std::string format_packet_local(std::string_view iface, std::uint32_t proto) {
    std::string s(iface.empty() ? std::string_view("*") : iface);
    if (proto == 0x0003) {  // ETH_P_ALL
        s += ":ALL";
    } else {
        char buf[16];
        std::snprintf(buf, sizeof buf, ":0x%04x", static_cast<unsigned>(proto & 0xffff));
        s += buf;
    }
    return s;
}

}  // namespace fdscope::netlink::fmt
