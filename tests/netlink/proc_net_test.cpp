// The /proc/net parsers, on tables captured from this kernel (6.18, x86_64,
// in a fresh network namespace; see tests/data/netlink/README) and on
// synthetic IPv6 tables whose addresses were encoded by hand.
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <netinet/in.h>
#include <sys/socket.h>

#include "model/kind.hpp"
#include "netlink/proc_net.hpp"

using namespace fdscope;
using namespace fdscope::netlink;

namespace {

constexpr std::uint64_t kNs = 4026532000;

std::string data(const std::string& name) {
    std::ifstream in(std::string(FDSCOPE_TESTDATA) + "/netlink/" + name, std::ios::binary);
    EXPECT_TRUE(in) << "missing test data " << name;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const SocketInfo& at(const SocketMap& m, std::uint64_t ino) {
    static const SocketInfo missing{};
    auto it = m.find(ino);
    EXPECT_NE(it, m.end()) << "inode " << ino << " not parsed";
    return it == m.end() ? missing : it->second;
}

// Asserts the fields that every source must agree on.
void expect_sock(const SocketMap& m, std::uint64_t ino, Kind kind, const std::string& state, const std::string& local,
                 const std::string& remote) {
    SCOPED_TRACE("inode " + std::to_string(ino));
    const SocketInfo& s = at(m, ino);
    EXPECT_EQ(kind_name(s.kind), kind_name(kind));
    EXPECT_EQ(s.state, state);
    EXPECT_EQ(s.local, local);
    EXPECT_EQ(s.remote, remote);
    EXPECT_EQ(s.netns, kNs);
}

}  // namespace

TEST(ProcNetInet, CapturedTcp) {
    SocketMap m;
    parse_proc_net_inet(data("proc_net_tcp.txt"), Kind::Tcp, kNs, m);
    // Six rows; the accepted-but-not-yet-accept()ed child has inode 0.
    EXPECT_EQ(m.size(), 5u);
    expect_sock(m, 36437, Kind::Tcp, "LISTEN", "127.0.0.1:8080", "");
    expect_sock(m, 36443, Kind::Tcp, "ESTAB", "127.0.0.1:40002", "127.0.0.1:9090");
    expect_sock(m, 36439, Kind::Tcp, "ESTAB", "127.0.0.1:8080", "127.0.0.1:40000");
    expect_sock(m, 36438, Kind::Tcp, "ESTAB", "127.0.0.1:40000", "127.0.0.1:8080");
    expect_sock(m, 36440, Kind::Tcp, "ESTAB", "127.0.0.1:40001", "127.0.0.1:8080");
    const SocketInfo& l = at(m, 36437);
    EXPECT_TRUE(l.listening);
    EXPECT_EQ(l.rqueue, 1u);  // one connection waiting in the accept queue
    EXPECT_EQ(l.wqueue, 0u);  // procfs has no backlog column
    EXPECT_EQ(l.type, SOCK_STREAM);
    EXPECT_EQ(l.protocol, static_cast<std::uint32_t>(IPPROTO_TCP));
    EXPECT_FALSE(at(m, 36443).listening);
}

TEST(ProcNetInet, FamilyAndPortsAsNumbers) {
    SocketMap m;
    parse_proc_net_inet(data("proc_net_tcp.txt"), Kind::Tcp, kNs, m);
    const SocketInfo& e = at(m, 36443);  // 127.0.0.1:40002 -> 127.0.0.1:9090
    EXPECT_EQ(e.family, AF_INET);
    EXPECT_EQ(e.local_port, 40002);
    EXPECT_EQ(e.remote_port, 9090);
    EXPECT_EQ(at(m, 36437).remote_port, 0) << "a listener has no remote end";
    SocketMap m6;
    parse_proc_net_inet(data("proc_net_tcp6.txt"), Kind::Tcp6, kNs, m6);
    EXPECT_EQ(at(m6, 36441).family, AF_INET6);
    EXPECT_EQ(at(m6, 36441).local_port, 8443);
}

TEST(ProcNetInet, CapturedTcp6WithV4Mapped) {
    SocketMap m;
    parse_proc_net_inet(data("proc_net_tcp6.txt"), Kind::Tcp6, kNs, m);
    EXPECT_EQ(m.size(), 3u);
    expect_sock(m, 36442, Kind::Tcp6, "LISTEN", "[::]:9090", "");
    expect_sock(m, 36441, Kind::Tcp6, "LISTEN", "[::1]:8443", "");
    expect_sock(m, 36444, Kind::Tcp6, "ESTAB", "[::ffff:127.0.0.1]:9090", "[::ffff:127.0.0.1]:40002");
}

TEST(ProcNetInet, CapturedUdpAndRaw) {
    SocketMap m;
    parse_proc_net_inet(data("proc_net_udp.txt"), Kind::Udp, kNs, m);
    parse_proc_net_inet(data("proc_net_udp6.txt"), Kind::Udp6, kNs, m);
    parse_proc_net_inet(data("proc_net_raw.txt"), Kind::Raw, kNs, m);
    parse_proc_net_inet(data("proc_net_raw6.txt"), Kind::Raw6, kNs, m);
    EXPECT_EQ(m.size(), 5u);
    expect_sock(m, 36445, Kind::Udp, "UNCONN", "127.0.0.1:5353", "");
    expect_sock(m, 36446, Kind::Udp, "ESTAB", "127.0.0.1:5354", "127.0.0.1:5353");
    expect_sock(m, 36447, Kind::Udp6, "UNCONN", "[::1]:5355", "");
    expect_sock(m, 36448, Kind::Raw, "UNCONN", "0.0.0.0:1", "");
    expect_sock(m, 36449, Kind::Raw6, "UNCONN", "[::]:58", "");
    EXPECT_EQ(at(m, 36445).type, SOCK_DGRAM);
    EXPECT_EQ(at(m, 36448).type, SOCK_RAW);
    EXPECT_EQ(at(m, 36448).protocol, 1u);   // ICMP: the raw "port" is the protocol
    EXPECT_EQ(at(m, 36449).protocol, 58u);  // ICMPv6
}

TEST(ProcNetInet, SyntheticTcp6Addresses) {
    SocketMap m;
    parse_proc_net_inet(data("proc_net_tcp6_synthetic.txt"), Kind::Tcp6, kNs, m);
    expect_sock(m, 1001, Kind::Tcp6, "LISTEN", "[::1]:22", "");
    expect_sock(m, 1002, Kind::Tcp6, "ESTAB", "[2001:db8::1]:443", "[2001:db8::2]:51000");
    expect_sock(m, 1003, Kind::Tcp6, "LISTEN", "[fe80::1]:8080", "");
    expect_sock(m, 1004, Kind::Tcp6, "ESTAB", "[::ffff:10.0.0.1]:80", "[::ffff:192.168.1.20]:40000");
    expect_sock(m, 1005, Kind::Tcp6, "CLOSE-WAIT", "[2001:db8:1234:5678:9abc:def0:1111:2222]:8080",
                "[2001:db8::2]:1234");
    expect_sock(m, 1006, Kind::Tcp6, "SYN-SENT", "[2001:db8::1]:65535", "[2001:db8::ff]:1");
    expect_sock(m, 1007, Kind::Tcp6, "FIN-WAIT-1", "[::1]:1", "[::1]:2");
    expect_sock(m, 1008, Kind::Tcp6, "FIN-WAIT-2", "[::1]:1", "[::1]:3");
    expect_sock(m, 1009, Kind::Tcp6, "CLOSE", "[::1]:4", "");
    expect_sock(m, 1010, Kind::Tcp6, "LAST-ACK", "[::1]:1", "[::1]:5");
    expect_sock(m, 1011, Kind::Tcp6, "CLOSING", "[::1]:1", "[::1]:6");
    expect_sock(m, 1012, Kind::Tcp6, "SYN-RECV", "[::1]:1", "[::1]:7");
    // TIME-WAIT (inode 0), a truncated row, a row of garbage, a v4-width
    // address and a non-hex inode are all skipped.
    EXPECT_EQ(m.size(), 12u);
    EXPECT_EQ(at(m, 1004).rqueue, 0x10u);
    EXPECT_EQ(at(m, 1004).wqueue, 0x20u);
}

TEST(ProcNetInet, Ipv4ByteOrder) {
    // 0100007F is 127.0.0.1, 0A00A8C0 is 192.168.0.10, port 1F90 is 8080.
    const std::string text =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 0100007F:1F90 0A00A8C0:D431 01 00000000:00000000 00:00000000 00000000  1000        0 77 1 0 20 4 30 10 -1\n"
        "   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 78 1 0 100 0 0 10 0";
    SocketMap m;
    parse_proc_net_inet(text, Kind::Tcp, kNs, m);
    expect_sock(m, 77, Kind::Tcp, "ESTAB", "127.0.0.1:8080", "192.168.0.10:54321");
    expect_sock(m, 78, Kind::Tcp, "LISTEN", "0.0.0.0:80", "");  // no trailing newline
}

TEST(ProcNetInet, WrongKindOrWidthParsesNothing) {
    SocketMap m;
    parse_proc_net_inet(data("proc_net_tcp.txt"), Kind::Tcp6, kNs, m);  // v4 rows in a v6 parser
    parse_proc_net_inet(data("proc_net_tcp6.txt"), Kind::Tcp, kNs, m);
    parse_proc_net_inet(data("proc_net_tcp.txt"), Kind::Unix, kNs, m);
    EXPECT_TRUE(m.empty());
}

TEST(ProcNetUnix, Captured) {
    SocketMap m;
    parse_proc_net_unix(data("proc_net_unix.txt"), kNs, m);
    EXPECT_EQ(m.size(), 5u);
    expect_sock(m, 36450, Kind::Unix, "LISTEN", "/run/fdscope-sample.sock", "");
    expect_sock(m, 36454, Kind::Unix, "UNCONN", "/run/fdscope sample with spaces", "");
    expect_sock(m, 36451, Kind::Unix, "ESTAB", "", "");
    expect_sock(m, 36452, Kind::Unix, "ESTAB", "", "");
    expect_sock(m, 36453, Kind::Unix, "UNCONN", "@fdscope@x", "");
    EXPECT_TRUE(at(m, 36450).listening);
    EXPECT_EQ(at(m, 36450).type, SOCK_STREAM);
    EXPECT_EQ(at(m, 36454).type, SOCK_SEQPACKET);
    EXPECT_EQ(at(m, 36453).type, SOCK_DGRAM);
    EXPECT_FALSE(at(m, 36451).listening);
    EXPECT_EQ(at(m, 36451).peer_inode, 0u);  // procfs does not know peers
}

TEST(ProcNetUnix, OddPaths) {
    const std::string text =
        "Num       RefCount Protocol Flags    Type St Inode Path\n"
        "0000000000000000: 00000002 00000000 00000000 0001 01   501  leading space\n"
        "0000000000000000: 00000002 00000000 00000000 0002 02   502 @\n"
        "0000000000000000: 00000002 00000000 00000000 0002 04   503 tab\there  \n"
        "0000000000000000: 00000002 00000000 00000000 0002 09   504\n"
        "0000000000000000: 00000002 00000000 0001000 0001 01\n";
    SocketMap m;
    parse_proc_net_unix(text, kNs, m);
    EXPECT_EQ(m.size(), 4u);
    expect_sock(m, 501, Kind::Unix, "UNCONN", " leading space", "");
    expect_sock(m, 502, Kind::Unix, "SYN-SENT", "@", "");
    expect_sock(m, 503, Kind::Unix, "CLOSING", "tab\there  ", "");
    expect_sock(m, 504, Kind::Unix, "UNKNOWN", "", "");
}

TEST(ProcNetNetlink, Captured) {
    SocketMap m;
    parse_proc_net_netlink(data("proc_net_netlink.txt"), kNs, m);
    EXPECT_EQ(m.size(), 9u);
    expect_sock(m, 36455, Kind::Netlink, "UNCONN", "4242", "");
    expect_sock(m, 36423, Kind::Netlink, "UNCONN", "0", "");
    EXPECT_EQ(at(m, 36455).protocol, 0u);   // NETLINK_ROUTE
    EXPECT_EQ(at(m, 36429).protocol, 4u);   // NETLINK_SOCK_DIAG
    EXPECT_EQ(at(m, 36424).protocol, 16u);  // NETLINK_GENERIC
    EXPECT_EQ(at(m, 36455).type, 0u);       // not in the table
}

TEST(ProcNetNetlink, PointerColumnIgnored) {
    const std::string text =
        "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n"
        "ffff8880deadbeef 0   123        00000001 1280     64       0     2        0        900\n";
    SocketMap m;
    parse_proc_net_netlink(text, kNs, m);
    expect_sock(m, 900, Kind::Netlink, "UNCONN", "123", "");
    EXPECT_EQ(at(m, 900).rqueue, 1280u);
    EXPECT_EQ(at(m, 900).wqueue, 64u);
    for (const auto& [ino, s] : m) {
        EXPECT_EQ(s.local.find("dead"), std::string::npos);
        EXPECT_EQ(s.remote.find("dead"), std::string::npos);
    }
}

TEST(ProcNetPacket, Captured) {
    SocketMap m;
    parse_proc_net_packet(data("proc_net_packet.txt"), kNs, m);
    EXPECT_EQ(m.size(), 2u);
    expect_sock(m, 36456, Kind::Packet, "UNCONN", "*:ALL", "");
    expect_sock(m, 36457, Kind::Packet, "UNCONN", "1:0x0800", "");  // bound to ifindex 1 (lo)
    EXPECT_EQ(at(m, 36456).protocol, 3u);
    EXPECT_EQ(at(m, 36456).type, SOCK_RAW);
    EXPECT_EQ(at(m, 36457).protocol, 0x0800u);
    EXPECT_EQ(at(m, 36457).type, SOCK_DGRAM);
}

TEST(ProcNet, HostileInputIsHarmless) {
    const std::string inputs[] = {
        "", "\n\n\n", ":", "0: :", std::string(1000, ' '), std::string("\0\0\0", 3),
        "0: 0100007F:FFFFF 00000000:0000 0A 0:0 0 0 0 0 5",         // port overflow
        "0: 0100007F:1F90 00000000:0000 0A 0:0 0 0 0 0 99999999999999999999999",  // inode overflow
        "0: 0100007F:1F90 00000000:0000 0A 0:0 0 0 0 0 -5",
        "0000: 1 0 10000 1 1 18446744073709551615 /x",
        "x 0 1 0 0 0 0 0 0 18446744073709551615",
    };
    for (const auto& in : inputs) {
        SocketMap m;
        parse_proc_net_inet(in, Kind::Tcp, kNs, m);
        parse_proc_net_inet(in, Kind::Udp6, kNs, m);
        parse_proc_net_unix(in, kNs, m);
        parse_proc_net_netlink(in, kNs, m);
        parse_proc_net_packet(in, kNs, m);
        for (const auto& [ino, s] : m) EXPECT_NE(ino, 0u);
    }
}

TEST(ProcNetTimeWait, OnlyTimeWaitRows) {
    // 0100007F is 127.0.0.1, port 1F90 is 8080; state 06 TIME-WAIT, 0A LISTEN.
    const std::string text =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 0100007F:1F90 0100007F:D431 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000\n"
        "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 77 1 0 20 4 30 10 -1\n"
        "   2: garbage\n";
    const auto tw = fdscope::netlink::parse_proc_net_time_wait(text, fdscope::Kind::Tcp);
    ASSERT_EQ(tw.size(), 1u);
    EXPECT_EQ(tw[0].local, "127.0.0.1:8080");
    EXPECT_EQ(tw[0].local_port, 8080);
    EXPECT_EQ(tw[0].state, "TIME-WAIT");
    EXPECT_TRUE(fdscope::netlink::parse_proc_net_time_wait(text, fdscope::Kind::Udp).empty());
}
