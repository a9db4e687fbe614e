// bind() of an inet socket: the port floor and CAP_NET_BIND_SERVICE, and
// who holds an overlapping address.
#include <gtest/gtest.h>

#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "process_facts.hpp"
#include "report/why/inet_bind_rules.hpp"
#include "report/why/layers.hpp"

namespace fdscope::report::why {
namespace {

using namespace testing;

Facts bind_to(std::string address, std::uint16_t port, int family = AF_INET, int protocol = IPPROTO_TCP) {
    Facts f = user_process(Op::BindInet);
    f.operation.address = std::move(address);
    f.operation.port = port;
    f.operation.family = family;
    f.operation.protocol = protocol;
    return f;
}

SocketHolder listener(std::string local, std::vector<Holder> holders, std::string state = "LISTEN") {
    SocketHolder s;
    s.local = std::move(local);
    s.state = std::move(state);
    s.uid = 33;
    s.protocol = IPPROTO_TCP;
    s.holders = std::move(holders);
    return s;
}

TEST(InetBindRules, Port80AsAnOrdinaryUser) {
    const Facts f = bind_to("", 80);
    const auto checks = inet_bind_checks(f);
    const auto c = find_layer(checks, Layer::Capability);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->result, Result::Fail);
    EXPECT_EQ(c->error, EACCES);
    EXPECT_EQ(c->path, "0.0.0.0:80");
    EXPECT_EQ(c->detail,
              "port 80 < net.ipv4.ip_unprivileged_port_start 1024 in netns 4026531840; CAP_NET_BIND_SERVICE absent");
    EXPECT_NE(c->fix.find("setcap cap_net_bind_service=+ep"), std::string::npos) << c->fix;
    EXPECT_NE(c->fix.find("AmbientCapabilities=CAP_NET_BIND_SERVICE in app.service"), std::string::npos) << c->fix;
    EXPECT_EQ(verdict_from(checks, f).error, EACCES);
}

TEST(InetBindRules, CapNetBindServiceOrAFloorOfZeroAllowsIt) {
    Facts cap = bind_to("", 80);
    cap.subject.cap_effective = 1ull << CAP_NET_BIND_SERVICE;
    EXPECT_EQ(find_layer(inet_bind_checks(cap), Layer::Capability)->result, Result::Pass);
    // Held in a child user namespace, it does not count for the host's netns.
    cap.subject.init_user_ns = false;
    EXPECT_EQ(find_layer(inet_bind_checks(cap), Layer::Capability)->result, Result::Fail);
    Facts floor = bind_to("", 80);
    floor.sysctls.ip_unprivileged_port_start = 0;
    EXPECT_EQ(find_layer(inet_bind_checks(floor), Layer::Capability)->result, Result::Pass);
    EXPECT_EQ(find_layer(inet_bind_checks(bind_to("", 8080)), Layer::Capability)->result, Result::Pass);
    EXPECT_EQ(find_layer(inet_bind_checks(bind_to("", 0)), Layer::Capability)->result, Result::Skip);
}

TEST(InetBindRules, WildcardOverlapIsEaddrinuseWithEveryHolder) {
    Facts f = bind_to("127.0.0.1", 8080);
    f.address_holders = {listener("0.0.0.0:8080", {holder(812, "nginx", 7), holder(813, "nginx", 7, "inherited from 812")})};
    const auto checks = inet_bind_checks(f);
    const auto c = find_layer(checks, Layer::Busy);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->result, Result::Fail);
    EXPECT_EQ(c->error, EADDRINUSE);
    EXPECT_EQ(c->path, "0.0.0.0:8080");
    ASSERT_EQ(c->holders.size(), 2u);
    EXPECT_NE(c->detail.find("pid 813 (nginx) fd 7, inherited from 812"), std::string::npos) << c->detail;
    EXPECT_NE(c->fix.find("pid 812 813"), std::string::npos) << c->fix;
    EXPECT_EQ(verdict_from(checks, f).error, EADDRINUSE);
}

TEST(InetBindRules, AddressesThatDoNotOverlap) {
    Facts f = bind_to("127.0.0.1", 8080);
    f.address_holders = {listener("127.0.0.2:8080", {holder(1, "a", 3)}), listener("127.0.0.1:8081", {holder(1, "a", 4)}),
                         listener("[::1]:8080", {holder(1, "a", 5)})};
    const auto checks = inet_bind_checks(f);
    const auto c = find_layer(checks, Layer::Busy);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->result, Result::Pass) << c->detail;
    // Another protocol never conflicts.
    f.address_holders = {listener("127.0.0.1:8080", {holder(1, "a", 3)})};
    f.address_holders[0].protocol = IPPROTO_UDP;
    EXPECT_EQ(find_layer(inet_bind_checks(f), Layer::Busy)->result, Result::Pass);
}

TEST(InetBindRules, Ipv6WildcardTakesTheIpv4PortUnlessV6only) {
    Facts f = bind_to("10.0.0.1", 443);
    f.sysctls.ip_unprivileged_port_start = 0;
    f.address_holders = {listener("[::]:443", {holder(900, "caddy", 6)})};
    EXPECT_EQ(find_layer(inet_bind_checks(f), Layer::Busy)->error, EADDRINUSE);
    f.address_holders[0].v6only = true;
    EXPECT_EQ(find_layer(inet_bind_checks(f), Layer::Busy)->result, Result::Pass);
    // And a dual-stack IPv6 wildcard of ours takes an IPv4 holder's port.
    Facts six = bind_to("", 443, AF_INET6);
    six.sysctls.ip_unprivileged_port_start = 0;
    six.address_holders = {listener("127.0.0.1:443", {holder(900, "caddy", 6)})};
    EXPECT_EQ(find_layer(inet_bind_checks(six), Layer::Busy)->error, EADDRINUSE);
}

TEST(InetBindRules, TimeWaitWithoutOwnerIsANote) {
    Facts f = bind_to("127.0.0.1", 8080);
    f.address_holders = {listener("127.0.0.1:8080", {}, "TIME_WAIT")};
    const auto checks = inet_bind_checks(f);
    std::size_t notes = 0;
    for (const auto& c : checks)
        if (c.layer == Layer::Busy && c.result == Result::Note) {
            ++notes;
            EXPECT_NE(c.explain.find("SO_REUSEADDR"), std::string::npos);
        }
    EXPECT_EQ(notes, 1u);
    EXPECT_EQ(verdict_from(checks, f).outcome, Outcome::Allowed);
}

TEST(InetBindRules, ParsesLocalAddresses) {
    const auto v4 = parse_local("127.0.0.1:80");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->family, AF_INET);
    EXPECT_EQ(v4->port, 80);
    EXPECT_FALSE(v4->wildcard);
    const auto any6 = parse_local("[::]:22");
    ASSERT_TRUE(any6);
    EXPECT_EQ(any6->family, AF_INET6);
    EXPECT_TRUE(any6->wildcard);
    const auto mapped = parse_local("[::ffff:127.0.0.1]:80");
    ASSERT_TRUE(mapped);
    EXPECT_EQ(mapped->family, AF_INET) << "a v4-mapped address binds the IPv4 address";
    EXPECT_TRUE(addresses_overlap(*mapped, *v4, false));
    EXPECT_TRUE(parse_local("*:80")->wildcard);
    for (const char* bad : {"", "80", "1.2.3.4:", "1.2.3.4:99999", "host:80", "[::1]:x"})
        EXPECT_FALSE(parse_local(bad)) << bad;
}

}  // namespace
}  // namespace fdscope::report::why
