// `fdscope ls -i` end to end on sockets this test holds, against lsof -i:
// bracketed IPv6 hosts, unbracketed ones where only one reading is an
// address (the ambiguous one refused with a message), host names through
// getaddrinfo and service names through /etc/services, as lsof does.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <set>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/cli_helpers.hpp"

namespace fdscope::test {
namespace {

// A listening TCP socket on a loopback address; port 0 picks one.
struct Listener {
    int fd = -1;
    int port = 0;
    Listener(int family, int want_port) {
        fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_storage ss{};
        socklen_t len = 0;
        if (family == AF_INET6) {
            int one = 1;
            ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
            auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
            a->sin6_family = AF_INET6;
            a->sin6_addr = in6addr_loopback;
            a->sin6_port = htons(static_cast<std::uint16_t>(want_port));
            len = sizeof *a;
        } else {
            auto* a = reinterpret_cast<sockaddr_in*>(&ss);
            a->sin_family = AF_INET;
            a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            a->sin_port = htons(static_cast<std::uint16_t>(want_port));
            len = sizeof *a;
        }
        if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 4) != 0) {
            ::close(fd);
            fd = -1;
            return;
        }
        len = sizeof ss;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
        port = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    }
    ~Listener() {
        if (fd >= 0) ::close(fd);
    }
};

// A listener on the port of some /etc/services tcp entry above 1023 that is
// free here, and that entry's name.
std::unique_ptr<Listener> listen_on_a_service(std::string& name) {
    ::setservent(0);
    while (const servent* s = ::getservent()) {
        const int port = ntohs(static_cast<std::uint16_t>(s->s_port));
        if (std::string(s->s_proto) != "tcp" || port < 1024) continue;
        auto l = std::make_unique<Listener>(AF_INET, port);
        if (l->fd >= 0) {
            name = s->s_name;
            ::endservent();
            return l;
        }
    }
    ::endservent();
    return nullptr;
}

class LsInet : public Backends {
protected:
    // The fds of this process that `fdscope ls -i SPEC` lists.
    std::set<int> fdscope_fds(const std::string& spec) {
        std::set<int> fds;
        for (const auto& [fd, row] : fd_rows(json({"ls", "-p", std::to_string(::getpid()), "-i", spec}), ::getpid()))
            fds.insert(fd);
        return fds;
    }
    // ... and that `lsof -i SPEC` lists (-a: and -p this process).
    static std::set<int> lsof_fds(const std::string& spec) {
        RunResult r = run({"lsof", "-n", "-P", "-a", "-p", std::to_string(::getpid()), "-i", spec, "-F", "f"});
        std::set<int> fds;
        std::istringstream in(r.out);
        for (std::string line; std::getline(in, line);)
            if (line.size() > 1 && line[0] == 'f') fds.insert(std::stoi(line.substr(1)));
        return fds;
    }
    RunResult fdscope_run(const std::string& spec) { return run(with_backend({fdscope_bin(), "ls", "-i", spec})); }
};

TEST_P(LsInet, BracketedAndUnambiguousIpv6Hosts) {
    Listener v6(AF_INET6, 0);
    if (v6.fd < 0) GTEST_SKIP() << "no IPv6 loopback here";
    const std::string port = std::to_string(v6.port);
    EXPECT_EQ(fdscope_fds("6tcp@[::1]:" + port), std::set<int>{v6.fd});
    if (have_tool("lsof")) {
        EXPECT_EQ(lsof_fds("6tcp@[::1]:" + port), std::set<int>{v6.fd}) << "lsof agrees";
    }
    // Eight groups and a port: only one reading is an address.
    EXPECT_EQ(fdscope_fds("tcp@0:0:0:0:0:0:0:1:" + port), std::set<int>{v6.fd});
    EXPECT_EQ(fdscope_fds("tcp@[::1]"), std::set<int>{v6.fd});
}

TEST_P(LsInet, AnAmbiguousIpv6HostIsRefusedWithTheTwoReadings) {
    RunResult r = fdscope_run("6tcp@::1:22");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("'::1:22' is ambiguous: write @[::1]:22 for port 22 of ::1, or @[::1:22] for that address"),
              std::string::npos)
        << r.err;
}

TEST_P(LsInet, HostNamesAreResolved) {
    Listener v4(AF_INET, 0);
    ASSERT_GE(v4.fd, 0);
    const std::string port = std::to_string(v4.port);
    EXPECT_EQ(fdscope_fds("tcp@localhost:" + port), std::set<int>{v4.fd}) << "localhost is 127.0.0.1 (/etc/hosts)";
    if (have_tool("lsof")) {
        EXPECT_EQ(lsof_fds("tcp@localhost:" + port), std::set<int>{v4.fd}) << "lsof agrees";
    }
    RunResult bad = fdscope_run("@no-such-host.invalid");
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find("cannot resolve host 'no-such-host.invalid'"), std::string::npos) << bad.err;
}

TEST_P(LsInet, ServiceNamesAreLookedUpInEtcServices) {
    std::string service;
    auto l = listen_on_a_service(service);
    if (!l) GTEST_SKIP() << "no free /etc/services tcp port above 1023";
    EXPECT_EQ(fdscope_fds("tcp:" + service), std::set<int>{l->fd}) << service << " is port " << l->port;
    EXPECT_EQ(fdscope_fds(":" + service), std::set<int>{l->fd});
    if (have_tool("lsof")) {
        EXPECT_EQ(lsof_fds("tcp:" + service), std::set<int>{l->fd}) << "lsof agrees";
    }
    RunResult bad = fdscope_run(":no-such-service");
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find("unknown service 'no-such-service'"), std::string::npos) << bad.err;
}

INSTANTIATE_BACKENDS(LsInet);

}  // namespace
}  // namespace fdscope::test
