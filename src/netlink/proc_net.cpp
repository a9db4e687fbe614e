// Parsers for the /proc/net socket tables. Each line is tokenised on
// whitespace into string_views; a line that does not parse completely (the
// header, a truncated last line, garbage) is skipped, never trusted in part.
//
// What the kernel prints (net/ipv4/tcp_ipv4.c, udp.c, raw.c, net/ipv6/...,
// net/unix/af_unix.c, net/netlink/af_netlink.c, net/packet/af_packet.c):
//   inet    "sl local rem st tx:rx tr:when retrnsmt uid timeout inode ..."
//           addresses are the in-memory words of the address printed as
//           host-order integers ("%08X" per 32-bit word: 127.0.0.1 prints as
//           0100007F on little-endian), ports are "%04X" of the host-order
//           port. For raw sockets the local port is the protocol.
//   unix    "Num RefCount Protocol Flags Type St Inode Path"
//   netlink "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode"
//   packet  "sk RefCnt Type Proto Iface R Rmem User Inode"
// The first column of unix/netlink/packet ("Num"/"sk") and the "pointer"
// column of udp/raw are kernel pointers (hashed or zeroed by %pK); they are
// never parsed nor stored. Sockets with inode 0 (TIME-WAIT, request
// sockets) have no file, cannot be held by an fd, and are skipped.
//
// Limits of this source compared with sock_diag: no unix peer inode, no
// accept backlog for TCP listeners (tx_queue is printed instead, 0), no
// netlink destination or socket type, no interface names. A unix path
// containing a newline splits its line; the pieces fail to parse unless the
// name was crafted to look like a line, which the kernel cannot prevent
// (ss has the same exposure) — sock_diag is the trusted source.
#include "netlink/proc_net.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <string>
#include <sys/socket.h>

#include "netlink/sock_format.hpp"

namespace fdscope::netlink {
namespace {

constexpr std::size_t kMaxTokens = 12;

// Splits `line` on spaces/tabs into at most `max` tokens; returns how many.
std::size_t tokenize(std::string_view line, std::array<std::string_view, kMaxTokens>& tok,
                     std::size_t max) {
    std::size_t n = 0, i = 0;
    while (n < max) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i >= line.size()) break;
        std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        tok[n++] = line.substr(start, i - start);
    }
    return n;
}

// Calls fn(line) for every line (without its '\n').
template <class Fn>
void for_each_line(std::string_view text, Fn&& fn) {
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        fn(line);
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
}

template <class T>
bool parse_num(std::string_view s, int base, T& out) {
    if (s.empty()) return false;
    const char* end = s.data() + s.size();
    auto [ptr, ec] = std::from_chars(s.data(), end, out, base);
    return ec == std::errc() && ptr == end;
}

// "0100007F" (8 hex digits per 32-bit word, `words` words) → address bytes
// in network order: each word is the host-order value of 4 address bytes.
bool parse_hex_addr(std::string_view s, std::size_t words, unsigned char* out) {
    if (s.size() != words * 8) return false;
    for (std::size_t w = 0; w < words; ++w) {
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < 8; ++k) {
            char c = s[w * 8 + k];
            unsigned d;
            if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
            else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
            else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
            else return false;
            v = (v << 4) | d;
        }
        std::memcpy(out + w * 4, &v, 4);
    }
    return true;
}

// "ADDR:PORT" as printed in the inet tables.
bool parse_endpoint(std::string_view s, std::size_t words, unsigned char* addr, std::uint16_t& port) {
    std::size_t colon = s.find(':');
    if (colon == std::string_view::npos) return false;
    return parse_hex_addr(s.substr(0, colon), words, addr) &&
           parse_num(s.substr(colon + 1), 16, port);
}

void reserve_for(std::string_view text, SocketMap& out) {
    auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
    out.reserve(out.size() + lines);
}

// One row of an inet table: "sl: local remote st tx:rx tr:when retr uid timeout inode ...".
struct InetRow {
    unsigned char laddr[16] = {}, raddr[16] = {};
    std::uint16_t lport = 0, rport = 0;
    unsigned state = 0;
    std::uint32_t txq = 0, rxq = 0;
    std::uint64_t inode = 0;  // 0 for TIME-WAIT and request sockets
};

bool parse_inet_row(std::string_view line, std::size_t words, std::array<std::string_view, kMaxTokens>& tok, InetRow& r) {
    if (tokenize(line, tok, 10) < 10) return false;
    if (tok[0].empty() || tok[0].back() != ':') return false;
    if (!parse_endpoint(tok[1], words, r.laddr, r.lport) || !parse_endpoint(tok[2], words, r.raddr, r.rport) ||
        !parse_num(tok[3], 16, r.state))
        return false;
    std::size_t colon = tok[4].find(':');
    if (colon == std::string_view::npos) return false;
    if (!parse_num(tok[4].substr(0, colon), 16, r.txq) || !parse_num(tok[4].substr(colon + 1), 16, r.rxq)) return false;
    return parse_num(tok[9], 10, r.inode);
}

// The fields both inet parsers fill.
void fill_inet(SocketInfo& s, Kind kind, int family, const InetRow& r, bool tcp) {
    s.kind = kind;
    s.state = tcp ? fmt::tcp_state_name(r.state) : fmt::dgram_state_name(r.state);
    s.local = fmt::format_inet(family, r.laddr, r.lport);
    s.remote = fmt::format_inet_remote(family, r.raddr, r.rport);
    s.family = static_cast<std::uint16_t>(family);
    s.local_port = r.lport;
    s.remote_port = r.rport;
    s.rqueue = r.rxq;
    s.wqueue = r.txq;
}

}  // namespace

void parse_proc_net_inet(std::string_view text, Kind kind, std::uint64_t netns, SocketMap& out) {
    int family;
    std::uint16_t type;
    std::uint32_t protocol;
    switch (kind) {
        case Kind::Tcp: family = AF_INET; type = SOCK_STREAM; protocol = IPPROTO_TCP; break;
        case Kind::Tcp6: family = AF_INET6; type = SOCK_STREAM; protocol = IPPROTO_TCP; break;
        case Kind::Udp: family = AF_INET; type = SOCK_DGRAM; protocol = IPPROTO_UDP; break;
        case Kind::Udp6: family = AF_INET6; type = SOCK_DGRAM; protocol = IPPROTO_UDP; break;
        case Kind::Raw: family = AF_INET; type = SOCK_RAW; protocol = 0; break;
        case Kind::Raw6: family = AF_INET6; type = SOCK_RAW; protocol = 0; break;
        default: return;
    }
    const bool tcp = type == SOCK_STREAM;
    const std::size_t words = family == AF_INET6 ? 4 : 1;
    reserve_for(text, out);
    std::array<std::string_view, kMaxTokens> tok;
    for_each_line(text, [&](std::string_view line) {
        InetRow r;
        if (!parse_inet_row(line, words, tok, r) || r.inode == 0) return;
        auto [it, fresh] = out.try_emplace(r.inode);
        if (!fresh) return;
        SocketInfo& s = it->second;
        fill_inet(s, kind, family, r, tcp);
        s.netns = netns;
        s.type = type;
        s.protocol = type == SOCK_RAW ? r.lport : protocol;
        s.listening = tcp && r.state == fmt::kListen;
    });
}

std::vector<SocketInfo> parse_proc_net_time_wait(std::string_view text, Kind kind) {
    std::vector<SocketInfo> out;
    if (kind != Kind::Tcp && kind != Kind::Tcp6) return out;
    const int family = kind == Kind::Tcp6 ? AF_INET6 : AF_INET;
    std::array<std::string_view, kMaxTokens> tok;
    for_each_line(text, [&](std::string_view line) {
        InetRow r;
        if (!parse_inet_row(line, family == AF_INET6 ? 4 : 1, tok, r) || r.state != fmt::kTimeWait) return;
        SocketInfo s;
        fill_inet(s, kind, family, r, true);
        s.type = SOCK_STREAM;
        s.protocol = IPPROTO_TCP;
        out.push_back(std::move(s));
    });
    return out;
}

void parse_proc_net_unix(std::string_view text, std::uint64_t netns, SocketMap& out) {
    reserve_for(text, out);
    std::array<std::string_view, kMaxTokens> tok;
    for_each_line(text, [&](std::string_view line) {
        if (tokenize(line, tok, 7) < 7) return;
        if (tok[0].empty() || tok[0].back() != ':') return;
        std::uint32_t flags = 0, type = 0, st = 0, refcount = 0, proto = 0;
        std::uint64_t inode = 0;
        if (!parse_num(tok[1], 16, refcount) || !parse_num(tok[2], 16, proto) || !parse_num(tok[3], 16, flags) ||
            !parse_num(tok[4], 16, type) || !parse_num(tok[5], 16, st) || !parse_num(tok[6], 10, inode) ||
            inode == 0 || type > 0xffff)
            return;
        // The path is everything after the single space that follows the
        // inode: it may contain spaces of its own.
        std::size_t after = static_cast<std::size_t>(tok[6].data() + tok[6].size() - line.data());
        std::string_view path = line.substr(after);
        if (!path.empty() && path.front() == ' ') path.remove_prefix(1);

        auto [it, fresh] = out.try_emplace(inode);
        if (!fresh) return;
        SocketInfo& s = it->second;
        s.kind = Kind::Unix;
        s.listening = (flags & 0x10000) != 0;  // __SO_ACCEPTCON
        s.state = s.listening ? std::string_view("LISTEN") : fmt::unix_proc_state_name(st);
        s.local = std::string(path);
        s.netns = netns;
        s.type = static_cast<std::uint16_t>(type);
    });
}

void parse_proc_net_netlink(std::string_view text, std::uint64_t netns, SocketMap& out) {
    reserve_for(text, out);
    std::array<std::string_view, kMaxTokens> tok;
    for_each_line(text, [&](std::string_view line) {
        if (tokenize(line, tok, 10) < 10) return;
        std::uint32_t proto = 0, portid = 0, groups = 0;
        std::int64_t rmem = 0, wmem = 0;
        std::uint64_t inode = 0;
        if (!parse_num(tok[1], 10, proto) || !parse_num(tok[2], 10, portid) || !parse_num(tok[3], 16, groups) ||
            !parse_num(tok[4], 10, rmem) || !parse_num(tok[5], 10, wmem) || !parse_num(tok[9], 10, inode) ||
            inode == 0)
            return;
        auto [it, fresh] = out.try_emplace(inode);
        if (!fresh) return;
        SocketInfo& s = it->second;
        s.kind = Kind::Netlink;
        s.state = "UNCONN";
        s.local = std::to_string(portid);
        s.netns = netns;
        s.protocol = proto;
        s.rqueue = static_cast<std::uint32_t>(std::clamp<std::int64_t>(rmem, 0, UINT32_MAX));
        s.wqueue = static_cast<std::uint32_t>(std::clamp<std::int64_t>(wmem, 0, UINT32_MAX));
        // The table does not say SOCK_RAW or SOCK_DGRAM: type stays 0 (unknown).
    });
}

void parse_proc_net_packet(std::string_view text, std::uint64_t netns, SocketMap& out) {
    reserve_for(text, out);
    std::array<std::string_view, kMaxTokens> tok;
    for_each_line(text, [&](std::string_view line) {
        if (tokenize(line, tok, 9) < 9) return;
        std::uint32_t refcnt = 0, type = 0, proto = 0, ifindex = 0, rmem = 0;
        std::uint64_t inode = 0;
        if (!parse_num(tok[1], 10, refcnt) || !parse_num(tok[2], 10, type) || !parse_num(tok[3], 16, proto) ||
            !parse_num(tok[4], 10, ifindex) || !parse_num(tok[6], 10, rmem) || !parse_num(tok[8], 10, inode) ||
            inode == 0 || type > 0xffff || proto > 0xffff)
            return;
        auto [it, fresh] = out.try_emplace(inode);
        if (!fresh) return;
        SocketInfo& s = it->second;
        s.kind = Kind::Packet;
        s.state = "UNCONN";
        // No interface names here (they live in the namespace, not the
        // table): the index is shown instead.
        s.local = fmt::format_packet_local(ifindex ? std::to_string(ifindex) : std::string(), proto);
        s.netns = netns;
        s.protocol = proto;
        s.type = static_cast<std::uint16_t>(type);
        s.rqueue = rmem;
    });
}

}  // namespace fdscope::netlink
