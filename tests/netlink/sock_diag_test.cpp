// sock_diag on real sockets made by the test, found again by inode; `ss`
// as a second opinion; collect_sockets across a second network namespace
// and through its procfs fallback.
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <grp.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <sched.h>
#include <sstream>
#include <string>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "model/kind.hpp"
#include "netlink/sock_diag.hpp"
#include "support/support.hpp"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

using namespace fdscope;
using namespace fdscope::netlink;

namespace {

struct Fd {
    int fd = -1;
    Fd() = default;
    explicit Fd(int f) : fd(f) {}
    ~Fd() {
        if (fd >= 0) close(fd);
    }
    Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
    Fd& operator=(Fd&& o) noexcept {
        std::swap(fd, o.fd);
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    operator int() const { return fd; }
};

std::uint64_t ino(int fd) {
    struct stat st;
    EXPECT_EQ(fstat(fd, &st), 0) << std::strerror(errno);
    return st.st_ino;
}

std::uint16_t port_of(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len), 0);
    if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

sockaddr_in v4(const char* ip, std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

sockaddr_in6 v6(const char* ip, std::uint16_t port) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    inet_pton(AF_INET6, ip, &a.sin6_addr);
    return a;
}

template <class A>
Fd bound(int family, int type, const A& addr, int protocol = 0) {
    Fd fd(socket(family, type | SOCK_CLOEXEC, protocol));
    EXPECT_GE(fd.fd, 0) << std::strerror(errno);
    EXPECT_EQ(bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
    return fd;
}

template <class A>
Fd connected(int family, int type, const A& to) {
    Fd fd(socket(family, type | SOCK_CLOEXEC, 0));
    EXPECT_EQ(connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to), 0) << std::strerror(errno);
    return fd;
}

// Waits (without sleeping blindly) until fd is readable: for a listener,
// until a connection sits in its accept queue.
void wait_readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 10000), 1);
}

std::string p(const std::string& ip, std::uint16_t port) { return ip + ":" + std::to_string(port); }

SocketMap dump(DiagReport* report_out = nullptr) {
    DiagReport report;
    SocketMap m;
    EXPECT_TRUE(dump_current_netns(current_netns(), m, report));
    for (const auto& n : report.notes) {
        // Kernel pointers never leak into notes either.
        EXPECT_EQ(n.find("ffff"), std::string::npos) << n;
    }
    if (report_out) *report_out = report;
    return m;
}

const SocketInfo& at(const SocketMap& m, std::uint64_t inode) {
    static const SocketInfo missing{};
    auto it = m.find(inode);
    EXPECT_NE(it, m.end()) << "socket inode " << inode << " not in the dump";
    return it == m.end() ? missing : it->second;
}

void expect_sock(const SocketMap& m, int fd, Kind kind, const std::string& state, const std::string& local,
                 const std::string& remote) {
    std::uint64_t inode = ino(fd);
    SCOPED_TRACE("inode " + std::to_string(inode));
    const SocketInfo& s = at(m, inode);
    EXPECT_EQ(kind_name(s.kind), kind_name(kind));
    EXPECT_EQ(s.state, state);
    EXPECT_EQ(s.local, local);
    EXPECT_EQ(s.remote, remote);
    EXPECT_EQ(s.netns, current_netns());
}

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/fdscope-netlink-XXXXXX";
        if (mkdtemp(tmpl)) path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        if (!path.empty()) std::filesystem::remove_all(path, ec);
    }
};

Fd unix_bound(int type, const std::string& name) {  // name may start with '\0'
    Fd fd(socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path, name.data(), std::min(name.size(), sizeof a.sun_path));
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), len), 0) << std::strerror(errno);
    return fd;
}

std::vector<std::string> split(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> t;
    for (std::string w; in >> w;) t.push_back(w);
    return t;
}

std::uint64_t netns_of(pid_t pid) {
    char buf[64] = {};
    ssize_t n = readlink(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), buf, sizeof buf - 1);
    if (n <= 0) return 0;
    // "net:[4026532000]"
    std::string s(buf, static_cast<std::size_t>(n));
    if (s.rfind("net:[", 0) != 0 || s.back() != ']') return 0;
    return std::stoull(s.substr(5, s.size() - 6));
}

}  // namespace

TEST(SockDiag, TcpListenerBacklogAndAcceptQueue) {
    Fd l = bound(AF_INET, SOCK_STREAM, v4("127.0.0.1", 0));
    ASSERT_EQ(listen(l, 7), 0);
    const std::uint16_t port = port_of(l);

    auto m = dump();
    expect_sock(m, l, Kind::Tcp, "LISTEN", p("127.0.0.1", port), "");
    const SocketInfo& s = at(m, ino(l));
    EXPECT_TRUE(s.listening);
    EXPECT_EQ(s.rqueue, 0u);
    EXPECT_EQ(s.wqueue, 7u);  // the backlog
    EXPECT_EQ(s.type, SOCK_STREAM);
    EXPECT_EQ(s.protocol, static_cast<std::uint32_t>(IPPROTO_TCP));

    Fd c = connected(AF_INET, SOCK_STREAM, v4("127.0.0.1", port));
    wait_readable(l);
    m = dump();
    EXPECT_EQ(at(m, ino(l)).rqueue, 1u);  // one connection not yet accepted
    EXPECT_EQ(at(m, ino(l)).wqueue, 7u);
}

TEST(SockDiag, TcpConnectedPair) {
    Fd l = bound(AF_INET, SOCK_STREAM, v4("127.0.0.1", 0));
    ASSERT_EQ(listen(l, 4), 0);
    const std::uint16_t lport = port_of(l);
    Fd c = connected(AF_INET, SOCK_STREAM, v4("127.0.0.1", lport));
    Fd a(accept4(l, nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_GE(a.fd, 0);
    const std::uint16_t cport = port_of(c);

    auto m = dump();
    expect_sock(m, c, Kind::Tcp, "ESTAB", p("127.0.0.1", cport), p("127.0.0.1", lport));
    expect_sock(m, a, Kind::Tcp, "ESTAB", p("127.0.0.1", lport), p("127.0.0.1", cport));
    EXPECT_FALSE(at(m, ino(c)).listening);
}

TEST(SockDiag, TcpBoundButNotListening) {
    // Kernels since 6.5 dump bound, never-listening TCP sockets (reported as
    // TCP_BOUND_INACTIVE; sk_state is TCP_CLOSE): we call them CLOSE.
    utsname u{};
    uname(&u);
    int major = 0, minor = 0;
    std::sscanf(u.release, "%d.%d", &major, &minor);
    if (major < 6 || (major == 6 && minor < 5)) GTEST_SKIP() << "kernel " << u.release << " does not dump them";
    Fd b = bound(AF_INET, SOCK_STREAM, v4("127.0.0.1", 0));
    auto m = dump();
    expect_sock(m, b, Kind::Tcp, "CLOSE", p("127.0.0.1", port_of(b)), "");
    EXPECT_FALSE(at(m, ino(b)).listening);
}

TEST(SockDiag, Tcp6LoopbackDualStackAndV4Mapped) {
    Fd l6 = bound(AF_INET6, SOCK_STREAM, v6("::1", 0));
    ASSERT_EQ(listen(l6, 9), 0);

    Fd dual(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
    int zero = 0;
    ASSERT_EQ(setsockopt(dual, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero), 0);
    sockaddr_in6 any = v6("::", 0);
    ASSERT_EQ(bind(dual, reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
    ASSERT_EQ(listen(dual, 3), 0);
    const std::uint16_t dport = port_of(dual);
    Fd c4 = connected(AF_INET, SOCK_STREAM, v4("127.0.0.1", dport));
    Fd mapped(accept4(dual, nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_GE(mapped.fd, 0);

    auto m = dump();
    expect_sock(m, l6, Kind::Tcp6, "LISTEN", "[::1]:" + std::to_string(port_of(l6)), "");
    EXPECT_EQ(at(m, ino(l6)).wqueue, 9u);
    expect_sock(m, dual, Kind::Tcp6, "LISTEN", "[::]:" + std::to_string(dport), "");
    // Accepted by an AF_INET6 socket from an IPv4 peer: still tcp6.
    expect_sock(m, mapped, Kind::Tcp6, "ESTAB", "[::ffff:127.0.0.1]:" + std::to_string(dport),
                "[::ffff:127.0.0.1]:" + std::to_string(port_of(c4)));
    expect_sock(m, c4, Kind::Tcp, "ESTAB", p("127.0.0.1", port_of(c4)), p("127.0.0.1", dport));
}

TEST(SockDiag, UdpAndUdp6) {
    Fd u = bound(AF_INET, SOCK_DGRAM, v4("127.0.0.1", 0));
    Fd u6 = bound(AF_INET6, SOCK_DGRAM, v6("::1", 0));
    Fd uc = bound(AF_INET, SOCK_DGRAM, v4("127.0.0.1", 0));
    sockaddr_in to = v4("127.0.0.1", port_of(u));
    ASSERT_EQ(connect(uc, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);

    auto m = dump();
    expect_sock(m, u, Kind::Udp, "UNCONN", p("127.0.0.1", port_of(u)), "");
    expect_sock(m, u6, Kind::Udp6, "UNCONN", "[::1]:" + std::to_string(port_of(u6)), "");
    expect_sock(m, uc, Kind::Udp, "ESTAB", p("127.0.0.1", port_of(uc)), p("127.0.0.1", port_of(u)));
    EXPECT_EQ(at(m, ino(u)).type, SOCK_DGRAM);
    EXPECT_EQ(at(m, ino(u)).protocol, static_cast<std::uint32_t>(IPPROTO_UDP));
    EXPECT_FALSE(at(m, ino(u)).listening);
}

TEST(SockDiag, UnixListenerPathAndBacklog) {
    TempDir dir;
    ASSERT_FALSE(dir.path.empty());
    const std::string path = dir.path + "/listener.sock";
    Fd l = unix_bound(SOCK_STREAM, path);
    ASSERT_EQ(listen(l, 5), 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, path.c_str());
    Fd c = connected(AF_UNIX, SOCK_STREAM, a);

    auto m = dump();
    expect_sock(m, l, Kind::Unix, "LISTEN", path, "");
    const SocketInfo& s = at(m, ino(l));
    EXPECT_TRUE(s.listening);
    EXPECT_EQ(s.wqueue, 5u);  // backlog
    EXPECT_EQ(s.rqueue, 1u);  // the client, not yet accepted
    EXPECT_EQ(s.type, SOCK_STREAM);
    // Until accept() the client's peer is an embryo without a file: no inode.
    EXPECT_EQ(at(m, ino(c)).peer_inode, 0u);
    expect_sock(m, c, Kind::Unix, "ESTAB", "", "");

    Fd acc(accept4(l, nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_GE(acc.fd, 0);
    m = dump();
    EXPECT_EQ(at(m, ino(l)).rqueue, 0u);
    EXPECT_EQ(at(m, ino(c)).peer_inode, ino(acc));
    EXPECT_EQ(at(m, ino(acc)).peer_inode, ino(c));
    expect_sock(m, acc, Kind::Unix, "ESTAB", path, "");  // accepted sockets carry the listener's name
}

TEST(SockDiag, UnixSocketpairPeers) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    Fd a(sv[0]), b(sv[1]);
    int dv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, dv), 0);
    Fd c(dv[0]), d(dv[1]);

    auto m = dump();
    expect_sock(m, a, Kind::Unix, "ESTAB", "", "");
    expect_sock(m, b, Kind::Unix, "ESTAB", "", "");
    EXPECT_EQ(at(m, ino(a)).peer_inode, ino(b));
    EXPECT_EQ(at(m, ino(b)).peer_inode, ino(a));
    EXPECT_EQ(at(m, ino(c)).peer_inode, ino(d));
    EXPECT_EQ(at(m, ino(d)).peer_inode, ino(c));
    EXPECT_EQ(at(m, ino(c)).type, SOCK_SEQPACKET);
}

TEST(SockDiag, UnixAbstractName) {
    const std::string name = std::string("\0fdscope-test-", 14) + std::to_string(getpid()) + std::string("\0x", 2);
    Fd u = unix_bound(SOCK_DGRAM, name);
    auto m = dump();
    expect_sock(m, u, Kind::Unix, "UNCONN", "@fdscope-test-" + std::to_string(getpid()) + "@x", "");
    EXPECT_EQ(at(m, ino(u)).type, SOCK_DGRAM);
}

TEST(SockDiag, ManySocketsSpanManyDatagrams) {
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    const int pairs = 1500;
    if (rl.rlim_cur < 2 * pairs + 200) GTEST_SKIP() << "RLIMIT_NOFILE too low for " << 2 * pairs << " sockets";
    std::vector<Fd> fds;
    fds.reserve(2 * pairs);
    for (int i = 0; i < pairs; ++i) {
        int sv[2];
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        fds.emplace_back(sv[0]);
        fds.emplace_back(sv[1]);
    }
    auto m = dump();
    for (std::size_t i = 0; i < 2 * static_cast<std::size_t>(pairs); i += 2) {
        ASSERT_EQ(at(m, ino(fds[i])).peer_inode, ino(fds[i + 1]));
        ASSERT_EQ(at(m, ino(fds[i + 1])).peer_inode, ino(fds[i]));
    }
}

TEST(SockDiag, NetlinkSockets) {
    Fd nl(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    ASSERT_GE(nl.fd, 0);
    sockaddr_nl a{};
    a.nl_family = AF_NETLINK;
    ASSERT_EQ(bind(nl, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ASSERT_EQ(getsockname(nl, reinterpret_cast<sockaddr*>(&a), &len), 0);

    Fd nc(socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_ROUTE));
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ASSERT_EQ(connect(nc, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel), 0);
    sockaddr_nl ca{};
    len = sizeof ca;
    ASSERT_EQ(getsockname(nc, reinterpret_cast<sockaddr*>(&ca), &len), 0);

    auto m = dump();
    expect_sock(m, nl, Kind::Netlink, "UNCONN", std::to_string(a.nl_pid), "");
    EXPECT_EQ(at(m, ino(nl)).protocol, static_cast<std::uint32_t>(NETLINK_ROUTE));
    EXPECT_EQ(at(m, ino(nl)).type, SOCK_RAW);
    expect_sock(m, nc, Kind::Netlink, "UNCONN", std::to_string(ca.nl_pid), "0");  // connected to the kernel
    EXPECT_EQ(at(m, ino(nc)).type, SOCK_DGRAM);
}

TEST(SockDiag, PacketSockets) {
    if (!test::is_root()) GTEST_SKIP() << "packet sockets need CAP_NET_RAW (run as root)";
    Fd all(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)));
    ASSERT_GE(all.fd, 0) << std::strerror(errno);
    Fd ip(socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP)));
    ASSERT_GE(ip.fd, 0);
    sockaddr_ll ll{};
    ll.sll_family = AF_PACKET;
    ll.sll_protocol = htons(ETH_P_IP);
    ll.sll_ifindex = static_cast<int>(if_nametoindex("lo"));
    ASSERT_GT(ll.sll_ifindex, 0);
    ASSERT_EQ(bind(ip, reinterpret_cast<sockaddr*>(&ll), sizeof ll), 0);

    auto m = dump();
    expect_sock(m, all, Kind::Packet, "UNCONN", "*:ALL", "");
    EXPECT_EQ(at(m, ino(all)).protocol, static_cast<std::uint32_t>(ETH_P_ALL));
    EXPECT_EQ(at(m, ino(all)).type, SOCK_RAW);
    expect_sock(m, ip, Kind::Packet, "UNCONN", "lo:0x0800", "");
    EXPECT_EQ(at(m, ino(ip)).protocol, static_cast<std::uint32_t>(ETH_P_IP));
    EXPECT_EQ(at(m, ino(ip)).type, SOCK_DGRAM);
}

TEST(SockDiag, RawSockets) {
    if (!test::is_root()) GTEST_SKIP() << "raw sockets need CAP_NET_RAW (run as root)";
    Fd icmp(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
    ASSERT_GE(icmp.fd, 0) << std::strerror(errno);
    Fd icmp6(socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6));
    ASSERT_GE(icmp6.fd, 0);
    Fd udp_raw(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP));
    sockaddr_in to = v4("127.0.0.1", 0);
    ASSERT_EQ(connect(udp_raw, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);

    // Without CONFIG_INET_RAW_DIAG these come from the /proc/net/raw
    // fallback; the answer must be the same either way.
    DiagReport report;
    auto m = dump(&report);
    expect_sock(m, icmp, Kind::Raw, "UNCONN", "0.0.0.0:1", "");
    EXPECT_EQ(at(m, ino(icmp)).protocol, static_cast<std::uint32_t>(IPPROTO_ICMP));
    EXPECT_EQ(at(m, ino(icmp)).type, SOCK_RAW);
    expect_sock(m, icmp6, Kind::Raw6, "UNCONN", "[::]:58", "");
    EXPECT_EQ(at(m, ino(icmp6)).protocol, static_cast<std::uint32_t>(IPPROTO_ICMPV6));
    // Every raw protocol is dumped, not only IPPROTO_RAW's.
    expect_sock(m, udp_raw, Kind::Raw, "ESTAB", "127.0.0.1:17", "127.0.0.1:0");
    EXPECT_EQ(at(m, ino(udp_raw)).protocol, static_cast<std::uint32_t>(IPPROTO_UDP));
    for (const auto& n : report.notes) std::cerr << "note: " << n << "\n";
}

TEST(SockDiag, MptcpListener) {
    Fd l(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP));
    if (l.fd < 0) GTEST_SKIP() << "no MPTCP here: " << std::strerror(errno);
    sockaddr_in a = v4("127.0.0.1", 0);
    ASSERT_EQ(bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(listen(l, 6), 0);
    auto m = dump();
    expect_sock(m, l, Kind::Tcp, "LISTEN", p("127.0.0.1", port_of(l)), "");
    EXPECT_EQ(at(m, ino(l)).protocol, static_cast<std::uint32_t>(IPPROTO_MPTCP));
    EXPECT_EQ(at(m, ino(l)).wqueue, 6u);
}

TEST(SockDiag, AgreesWithSsOnTcp) {
    if (!test::have_tool("ss")) GTEST_SKIP() << "ss not installed";
    Fd l = bound(AF_INET, SOCK_STREAM, v4("127.0.0.1", 0));
    ASSERT_EQ(listen(l, 11), 0);
    Fd c = connected(AF_INET, SOCK_STREAM, v4("127.0.0.1", port_of(l)));
    wait_readable(l);
    Fd l6 = bound(AF_INET6, SOCK_STREAM, v6("::1", 0));
    ASSERT_EQ(listen(l6, 2), 0);

    auto m = dump();
    auto r = test::run({"ss", "-H", "-t", "-a", "-n", "-e"});
    ASSERT_EQ(r.status, 0) << r.err;
    int compared = 0;
    for (std::uint64_t want : {ino(l), ino(c), ino(l6)}) {
        SCOPED_TRACE("inode " + std::to_string(want));
        std::istringstream lines(r.out);
        bool found = false;
        for (std::string line; std::getline(lines, line);) {
            auto t = split(line);  // State Recv-Q Send-Q Local Peer ... ino:N ...
            if (t.size() < 6 || std::find(t.begin(), t.end(), "ino:" + std::to_string(want)) == t.end()) continue;
            found = true;
            const SocketInfo& s = at(m, want);
            EXPECT_EQ(s.state, t[0]);
            EXPECT_EQ(std::to_string(s.rqueue), t[1]);
            EXPECT_EQ(std::to_string(s.wqueue), t[2]);
            EXPECT_EQ(s.local, t[3]);
            // ss spells an unconnected peer "0.0.0.0:*" / "[::]:*"; we leave it empty.
            EXPECT_EQ(s.remote, t[4].back() == '*' ? std::string() : t[4]);
            ++compared;
        }
        EXPECT_TRUE(found) << r.out;
    }
    EXPECT_EQ(compared, 3);
}

TEST(SockDiag, AgreesWithSsOnUnix) {
    if (!test::have_tool("ss")) GTEST_SKIP() << "ss not installed";
    TempDir dir;
    const std::string path = dir.path + "/ss.sock";
    Fd l = unix_bound(SOCK_STREAM, path);
    ASSERT_EQ(listen(l, 12), 0);
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    Fd a(sv[0]), b(sv[1]);
    const std::string abstract = std::string("\0fdscope-ss-", 12) + std::to_string(getpid());
    Fd ab = unix_bound(SOCK_DGRAM, abstract);

    auto m = dump();
    auto r = test::run({"ss", "-H", "-a", "-n", "-e", "-x"});
    ASSERT_EQ(r.status, 0) << r.err;
    for (std::uint64_t want : {ino(l), ino(a), ino(b), ino(ab)}) {
        SCOPED_TRACE("inode " + std::to_string(want));
        std::istringstream lines(r.out);
        bool found = false;
        for (std::string line; std::getline(lines, line);) {
            // Netid State Recv-Q Send-Q Local SockIno Peer PeerIno ...
            auto t = split(line);
            if (t.size() < 8 || t[5] != std::to_string(want)) continue;
            found = true;
            const SocketInfo& s = at(m, want);
            EXPECT_EQ(s.state, t[1]);
            EXPECT_EQ(std::to_string(s.rqueue), t[2]);
            EXPECT_EQ(std::to_string(s.wqueue), t[3]);
            EXPECT_EQ(s.local, t[4] == "*" ? std::string() : t[4]);
            EXPECT_EQ(std::to_string(s.peer_inode), t[7]);
        }
        EXPECT_TRUE(found) << r.out;
    }
}

TEST(SockDiag, ProcfsFallbackAgreesWithDiag) {
    Fd l = bound(AF_INET, SOCK_STREAM, v4("127.0.0.1", 0));
    ASSERT_EQ(listen(l, 3), 0);
    Fd c = connected(AF_INET, SOCK_STREAM, v4("127.0.0.1", port_of(l)));
    Fd u6 = bound(AF_INET6, SOCK_DGRAM, v6("::1", 0));
    TempDir dir;
    Fd ul = unix_bound(SOCK_STREAM, dir.path + "/fallback.sock");
    ASSERT_EQ(listen(ul, 1), 0);
    const std::string abstract = std::string("\0fdscope-fb-", 12) + std::to_string(getpid()) + std::string("\0z", 2);
    Fd ua = unix_bound(SOCK_DGRAM, abstract);
    // A netlink socket is in no table until it is bound (or autobound).
    Fd nl(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    sockaddr_nl na{};
    na.nl_family = AF_NETLINK;
    ASSERT_EQ(bind(nl, reinterpret_cast<sockaddr*>(&na), sizeof na), 0);

    auto diag = dump();
    DiagReport report;
    SocketMap proc;
    ASSERT_TRUE(read_proc_net_dir("/proc/thread-self/net", current_netns(), proc, report));
    for (int fd : {l.fd, c.fd, u6.fd, ul.fd, ua.fd, nl.fd}) {
        SCOPED_TRACE("inode " + std::to_string(ino(fd)));
        const SocketInfo& d = at(diag, ino(fd));
        const SocketInfo& q = at(proc, ino(fd));
        EXPECT_EQ(kind_name(d.kind), kind_name(q.kind));
        EXPECT_EQ(d.state, q.state);
        EXPECT_EQ(d.local, q.local);
        EXPECT_EQ(d.remote, q.remote);
        EXPECT_EQ(d.netns, q.netns);
        EXPECT_EQ(d.listening, q.listening);
        EXPECT_EQ(d.protocol, q.protocol);
    }
}

// --- collect_sockets -------------------------------------------------------

namespace {

struct ChildFacts {
    int err = 0;  // errno of the step that failed in the child, 0 if ready
    std::uint16_t port = 0;
    std::uint64_t inode = 0;
};

// A child in a network namespace of its own, listening on 127.0.0.1:port
// with backlog 4. It reports over a pipe when ready and lives until its
// stop pipe reaches EOF; the destructor kills and reaps it in every case.
class NetnsChild {
public:
    NetnsChild() {
        int ready[2], stop[2];
        if (pipe2(ready, O_CLOEXEC) != 0) return;
        if (pipe2(stop, O_CLOEXEC) != 0) {
            close(ready[0]);
            close(ready[1]);
            return;
        }
        pid_ = fork();
        if (pid_ == 0) {
            close(ready[0]);
            close(stop[1]);
            run_child(ready[1], stop[0]);  // never returns
        }
        close(ready[1]);
        close(stop[0]);
        ready_fd_ = ready[0];
        stop_fd_ = stop[1];
        if (pid_ < 0) return;
        pollfd pf{ready_fd_, POLLIN, 0};
        if (poll(&pf, 1, 30000) == 1 && read(ready_fd_, &facts_, sizeof facts_) == sizeof facts_) ok_ = true;
    }
    ~NetnsChild() {
        if (stop_fd_ >= 0) close(stop_fd_);
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            int st;
            while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
            }
        }
        if (ready_fd_ >= 0) close(ready_fd_);
    }
    NetnsChild(const NetnsChild&) = delete;
    NetnsChild& operator=(const NetnsChild&) = delete;

    bool ok() const { return ok_ && facts_.err == 0; }
    const ChildFacts& facts() const { return facts_; }
    pid_t pid() const { return pid_; }

private:
    [[noreturn]] static void run_child(int ready, int stop) {
        ChildFacts f;
        auto fail = [&](int err) {
            f.err = err ? err : EIO;
            (void)!write(ready, &f, sizeof f);
            _exit(1);
        };
        if (unshare(CLONE_NEWNET) != 0) fail(errno);
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        ifreq ifr{};
        std::strcpy(ifr.ifr_name, "lo");
        if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0) fail(errno);
        ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
        if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) fail(errno);
        close(s);
        int l = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (l < 0 || bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(l, 4) != 0) fail(errno);
        socklen_t len = sizeof a;
        getsockname(l, reinterpret_cast<sockaddr*>(&a), &len);
        struct stat st;
        fstat(l, &st);
        f.port = ntohs(a.sin_port);
        f.inode = st.st_ino;
        (void)!write(ready, &f, sizeof f);
        char b;
        while (read(stop, &b, 1) != 0 && (errno == EINTR || errno == 0)) {
        }
        _exit(0);
    }

    pid_t pid_ = -1;
    int ready_fd_ = -1, stop_fd_ = -1;
    bool ok_ = false;
    ChildFacts facts_;
};

bool has_note(const DiagReport& r, const std::string& part) {
    for (const auto& n : r.notes)
        if (n.find(part) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST(CollectSockets, SecondNamespaceThroughSetns) {
    if (!test::is_root()) GTEST_SKIP() << "unshare(CLONE_NEWNET) and setns need CAP_SYS_ADMIN (run as root)";
    NetnsChild child;
    ASSERT_TRUE(child.ok()) << "child could not build its namespace: " << std::strerror(child.facts().err);
    const std::uint64_t self_ns = netns_of(getpid());
    const std::uint64_t child_ns = netns_of(child.pid());
    ASSERT_NE(self_ns, 0u);
    ASSERT_NE(child_ns, 0u);
    ASSERT_NE(self_ns, child_ns);
    ASSERT_EQ(current_netns(), self_ns);

    Fd mine = bound(AF_INET, SOCK_STREAM, v4("127.0.0.1", 0));
    ASSERT_EQ(listen(mine, 2), 0);

    DiagReport report;
    // The child's namespace twice: visited once.
    SocketMap m = collect_sockets({{self_ns, getpid()}, {child_ns, child.pid()}, {child_ns, child.pid()}}, report);
    for (const auto& n : report.notes) std::cerr << "note: " << n << "\n";

    EXPECT_EQ(report.namespaces, 2u);
    EXPECT_EQ(report.via_netlink, 2u);
    EXPECT_EQ(report.via_procfs, 0u);
    const SocketInfo& theirs = at(m, child.facts().inode);
    EXPECT_EQ(theirs.netns, child_ns);
    EXPECT_EQ(theirs.state, "LISTEN");
    EXPECT_EQ(theirs.local, p("127.0.0.1", child.facts().port));
    EXPECT_EQ(theirs.wqueue, 4u);
    EXPECT_TRUE(theirs.listening);
    const SocketInfo& ours = at(m, ino(mine));
    EXPECT_EQ(ours.netns, self_ns);
    EXPECT_EQ(ours.local, p("127.0.0.1", port_of(mine)));

    // The caller's namespace never moved.
    EXPECT_EQ(current_netns(), self_ns);
    EXPECT_EQ(netns_of(getpid()), self_ns);
}

TEST(CollectSockets, UnprivilegedCallerFallsBackToProcfs) {
    if (!test::is_root()) GTEST_SKIP() << "needs root to build the namespace and then drop to nobody";
    NetnsChild child;
    ASSERT_TRUE(child.ok()) << std::strerror(child.facts().err);
    const std::uint64_t child_ns = netns_of(child.pid());
    ASSERT_NE(child_ns, 0u);

    // A grandchild drops to nobody (no capabilities, no ptrace access to the
    // root-owned child) and collects; it reports one line over a pipe.
    int out[2];
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(out[0]);
        if (setgroups(0, nullptr) != 0 || setresgid(65534, 65534, 65534) != 0 ||
            setresuid(65534, 65534, 65534) != 0)
            _exit(2);
        DiagReport r;
        SocketMap m = collect_sockets({{child_ns, child.pid()}}, r);
        std::string line;
        auto it = m.find(child.facts().inode);
        line += it == m.end() ? "missing" : std::string(it->second.state) + " " + it->second.local + " " +
                                                std::to_string(it->second.netns == child_ns);
        line += " " + std::to_string(r.namespaces) + " " + std::to_string(r.via_netlink) + " " +
                std::to_string(r.via_procfs) + " " + std::to_string(has_note(r, "/net"));
        (void)!write(out[1], line.data(), line.size());
        _exit(0);
    }
    close(out[1]);
    std::string got;
    char buf[512];
    for (ssize_t n; (n = read(out[0], buf, sizeof buf)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        got.append(buf, static_cast<std::size_t>(n));
    }
    close(out[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "grandchild status " << st;
    // state local netns-matches namespaces via_netlink via_procfs noted
    EXPECT_EQ(got, "LISTEN " + p("127.0.0.1", child.facts().port) + " 1 1 0 1 1");
}

TEST(CollectSockets, VanishedProcessIsSkipped) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) _exit(0);
    int st;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);

    DiagReport report;
    SocketMap m = collect_sockets({{4026531000, pid}}, report);
    EXPECT_TRUE(m.empty());
    EXPECT_EQ(report.namespaces, 1u);
    EXPECT_EQ(report.via_netlink + report.via_procfs, 0u);
    EXPECT_TRUE(has_note(report, "vanished"));
}

TEST(CollectSockets, PidNoLongerInTheNamespaceIsSkipped) {
    DiagReport report;
    SocketMap m = collect_sockets({{12345, getpid()}}, report);  // we are not in netns 12345
    EXPECT_TRUE(m.empty());
    EXPECT_EQ(report.namespaces, 1u);
    EXPECT_EQ(report.via_netlink + report.via_procfs, 0u);
    EXPECT_TRUE(has_note(report, "no longer in it"));
}

TEST(CollectSockets, OwnNamespaceByInodeOrByPid) {
    Fd l = bound(AF_INET, SOCK_STREAM, v4("127.0.0.1", 0));
    ASSERT_EQ(listen(l, 1), 0);
    const std::uint64_t self_ns = current_netns();

    DiagReport a;
    SocketMap by_inode = collect_sockets({{self_ns, 0}, {self_ns, getpid()}}, a);
    EXPECT_EQ(a.namespaces, 1u);
    EXPECT_EQ(a.via_netlink, 1u);
    EXPECT_EQ(at(by_inode, ino(l)).netns, self_ns);

    DiagReport b;  // inode unknown: found through /proc/PID/ns/net
    SocketMap by_pid = collect_sockets({{0, getpid()}}, b);
    EXPECT_EQ(b.namespaces, 1u);
    EXPECT_EQ(b.via_netlink, 1u);
    EXPECT_EQ(at(by_pid, ino(l)).netns, self_ns);

    DiagReport c;
    EXPECT_TRUE(collect_sockets({}, c).empty());
    EXPECT_EQ(c.namespaces, 0u);
}

TEST(SockDiag, ProcNetTablesOfTheKindsAskedOnly) {
    Fd l = bound(AF_INET, SOCK_STREAM, v4("127.0.0.1", 0));
    ASSERT_EQ(listen(l, 3), 0);
    Fd u(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_GE(u.fd, 0);

    const std::uint64_t ns = current_netns();
    SocketMap tcp;
    ASSERT_EQ(read_proc_net_tables("/proc/self/net", {Kind::Tcp}, ns, tcp), 0);
    expect_sock(tcp, l, Kind::Tcp, "LISTEN", p("127.0.0.1", port_of(l)), "");
    EXPECT_EQ(tcp.count(ino(u)), 0u);  // unix was not asked for

    SocketMap unix_only;
    ASSERT_EQ(read_proc_net_tables("/proc/self/net", {Kind::Unix}, ns, unix_only), 0);
    EXPECT_EQ(unix_only.count(ino(l)), 0u);
    EXPECT_EQ(unix_only.count(ino(u)), 1u);

    SocketMap none;
    EXPECT_NE(read_proc_net_tables("/proc/0/net", {Kind::Tcp}, ns, none), 0);
    EXPECT_TRUE(none.empty());
}
