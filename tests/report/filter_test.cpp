#include "report/filter.hpp"

#include <gtest/gtest.h>

#include "report/model_builders.hpp"

using namespace fdscope;
using namespace fdscope::report;
using namespace fdscope::report::testing;

namespace {

InetFilter parse_ok(std::string_view spec) {
    std::string error;
    auto f = parse_inet_filter(spec, error);
    EXPECT_TRUE(f.has_value()) << "'" << spec << "': " << error;
    EXPECT_EQ(error, "") << spec;
    return f.value_or(InetFilter{});
}

std::string parse_error(std::string_view spec) {
    std::string error;
    auto f = parse_inet_filter(spec, error);
    EXPECT_FALSE(f.has_value()) << "'" << spec << "' parsed";
    EXPECT_FALSE(error.empty()) << spec;
    return error;
}

void expect_filter(const InetFilter& f, int family, std::string protocol, std::string host, int port) {
    EXPECT_EQ(f.family, family);
    EXPECT_EQ(f.protocol, protocol);
    EXPECT_EQ(f.host, host);
    EXPECT_EQ(f.port, port);
}

LsFilter inet(std::string_view spec) {
    LsFilter f;
    f.inet = parse_ok(spec);
    return f;
}

}  // namespace

// ---------------------------------------------------------------- parse_inet_filter

TEST(ParseInetFilter, Empty) { expect_filter(parse_ok(""), 0, "", "", -1); }
TEST(ParseInetFilter, PortOnly) { expect_filter(parse_ok(":80"), 0, "", "", 80); }
TEST(ParseInetFilter, ProtocolOnly) { expect_filter(parse_ok("tcp"), 0, "tcp", "", -1); }
TEST(ParseInetFilter, ProtocolIsCaseInsensitive) { expect_filter(parse_ok("UDP"), 0, "udp", "", -1); }
TEST(ParseInetFilter, ProtocolAndPort) { expect_filter(parse_ok("udp:53"), 0, "udp", "", 53); }
TEST(ParseInetFilter, FamilyAndProtocol) { expect_filter(parse_ok("4tcp"), 4, "tcp", "", -1); }
TEST(ParseInetFilter, FamilyOnly) { expect_filter(parse_ok("6"), 6, "", "", -1); }
TEST(ParseInetFilter, Raw) { expect_filter(parse_ok("6raw"), 6, "raw", "", -1); }
TEST(ParseInetFilter, PortBounds) {
    expect_filter(parse_ok(":0"), 0, "", "", 0);
    expect_filter(parse_ok(":65535"), 0, "", "", 65535);
}

TEST(ParseInetFilter, Ipv4HostAndPort) { expect_filter(parse_ok("tcp@127.0.0.1:8080"), 0, "tcp", "127.0.0.1", 8080); }
TEST(ParseInetFilter, Ipv4HostWithoutPort) { expect_filter(parse_ok("@10.0.0.1"), 0, "", "10.0.0.1", -1); }
TEST(ParseInetFilter, BracketedIpv6HostAndPort) { expect_filter(parse_ok("6tcp@[::1]:22"), 6, "tcp", "::1", 22); }
TEST(ParseInetFilter, BracketedIpv6HostWithoutPort) { expect_filter(parse_ok("@[fe80::1]"), 0, "", "fe80::1", -1); }

// Without brackets, an IPv6 host takes a trailing ":PORT" only when the
// rest alone is an address and the whole is not; a spec that reads both
// ways is refused (the man page's old example, 6tcp@::1:22, is one).
TEST(ParseInetFilter, UnbracketedIpv6) {
    expect_filter(parse_ok("@::1"), 0, "", "::1", -1);
    expect_filter(parse_ok("@fe80::1"), 0, "", "fe80::1", -1);
    expect_filter(parse_ok("tcp@2001:db8:0:0:0:0:0:1:443"), 0, "tcp", "2001:db8:0:0:0:0:0:1", 443);
    auto svc = parse_ok("@::1:http");
    EXPECT_EQ(svc.host, "::1");
    EXPECT_EQ(svc.service, "http");
    EXPECT_EQ(parse_error("6tcp@::1:22"),
              "'::1:22' is ambiguous: write @[::1]:22 for port 22 of ::1, or @[::1:22] for that address");
    EXPECT_EQ(parse_error("@::1:beef"),
              "'::1:beef' is ambiguous: write @[::1]:beef for port beef of ::1, or @[::1:beef] for that address");
    EXPECT_EQ(parse_error("@fe80::zz:1"), "not an IPv6 address: fe80::zz:1 (an IPv6 host goes in brackets: @[ADDRESS]:PORT)");
}

TEST(ParseInetFilter, NumericHostsCarryTheirAddress) {
    auto f = parse_ok("@127.0.0.1");
    ASSERT_EQ(f.addresses.size(), 1u);
    EXPECT_EQ(f.addresses[0], *parse_ip("127.0.0.1"));
    EXPECT_FALSE(f.host_is_name);
    EXPECT_EQ(parse_error("4@[::1]"), "-i 4 with an IPv6 address");
    EXPECT_EQ(parse_error("6@10.0.0.1"), "-i 6 with an IPv4 address");
    EXPECT_EQ(parse_error("@[localhost]:80"), "not a numeric address in brackets: [localhost]");
}

// Names are left for the CLI to resolve (getaddrinfo, getservbyname).
TEST(ParseInetFilter, HostAndServiceNames) {
    auto f = parse_ok("tcp@localhost:ssh");
    EXPECT_EQ(f.host, "localhost");
    EXPECT_TRUE(f.host_is_name);
    EXPECT_TRUE(f.addresses.empty());
    EXPECT_EQ(f.service, "ssh");
    EXPECT_EQ(f.port, -1);
    EXPECT_EQ(parse_ok(":http").service, "http");
    EXPECT_EQ(parse_ok(":domain-s").service, "domain-s");
    EXPECT_EQ(parse_error("@bad/name"), "not a host name or a numeric address: bad/name");
}

TEST(ParseIp, FormsAndMappedAddresses) {
    EXPECT_EQ(parse_ip("10.1.2.3")->family, 4);
    EXPECT_EQ(parse_ip("::1")->family, 6);
    EXPECT_EQ(parse_ip("::ffff:127.0.0.1"), parse_ip("127.0.0.1")) << "v4-mapped is its IPv4 address";
    EXPECT_EQ(parse_ip("::0001"), parse_ip("::1"));
    EXPECT_FALSE(parse_ip("*"));
    EXPECT_FALSE(parse_ip("[::1]"));
    EXPECT_FALSE(parse_ip("localhost"));
    EXPECT_FALSE(parse_ip(""));
}

TEST(ParseInetFilter, Errors) {
    EXPECT_EQ(parse_error("sctp"), "unknown protocol 'sctp' (tcp, udp or raw)");
    EXPECT_EQ(parse_error("4sctp:80"), "unknown protocol 'sctp' (tcp, udp or raw)");
    EXPECT_EQ(parse_error(":"), "expected ':PORT'");
    EXPECT_EQ(parse_error(":99999"), "port must be a number from 0 to 65535 or a service name");
    EXPECT_EQ(parse_error(":65536"), "port must be a number from 0 to 65535 or a service name");
    EXPECT_EQ(parse_error(":-1"), "port must be a number from 0 to 65535 or a service name");
    EXPECT_EQ(parse_error(":80x"), "port must be a number from 0 to 65535 or a service name");
    EXPECT_EQ(parse_error(":a b"), "port must be a number from 0 to 65535 or a service name");
    EXPECT_EQ(parse_error("@"), "empty host after '@'");
    EXPECT_EQ(parse_error("@:80"), "empty host after '@'");
    EXPECT_EQ(parse_error("@[]:80"), "empty host after '@'");
    EXPECT_EQ(parse_error("@[::1"), "unterminated '[' in address");
    EXPECT_EQ(parse_error("@[::1]22"), "expected ':PORT'");
    EXPECT_EQ(parse_error("46"), "unknown protocol '6' (tcp, udp or raw)");
}

// ---------------------------------------------------------------- address_host

TEST(AddressHost, Forms) {
    EXPECT_EQ(address_host("1.2.3.4:80"), "1.2.3.4");
    EXPECT_EQ(address_host("[::1]:22"), "::1");
    EXPECT_EQ(address_host("[::ffff:127.0.0.1]:8080"), "::ffff:127.0.0.1");
    EXPECT_EQ(address_host("*:80"), "*");
    EXPECT_EQ(address_host("0.0.0.0:*"), "0.0.0.0");
}

TEST(AddressHost, Rejects) {
    EXPECT_FALSE(address_host("nocolon"));
    EXPECT_FALSE(address_host(""));
}

// ---------------------------------------------------------------- file_matches / process_matches

TEST(FileMatches, EmptyFilterMatchesEverything) {
    Process p = make_process(1, "init");
    LsFilter f;
    EXPECT_TRUE(file_matches(f, make_file(p, 0, Kind::Chr, "/dev/null"), nullptr));
    EXPECT_TRUE(file_matches(f, make_assoc(p, Assoc::Cwd, "/"), nullptr));
}

TEST(FileMatches, Kinds) {
    Process p = make_process(1, "x");
    LsFilter f;
    f.kinds = {Kind::Tcp, Kind::Udp};
    EXPECT_TRUE(file_matches(f, make_file(p, 3, Kind::Tcp, {}, 10), nullptr));
    EXPECT_TRUE(file_matches(f, make_file(p, 4, Kind::Udp, {}, 11), nullptr));
    EXPECT_FALSE(file_matches(f, make_file(p, 5, Kind::Tcp6, {}, 12), nullptr));
    EXPECT_FALSE(file_matches(f, make_file(p, 6, Kind::Pipe, {}, 13), nullptr));
}

TEST(FileMatches, InetSelectsOnlyInternetSockets) {
    Process p = make_process(1, "x");
    LsFilter f = inet("");
    for (Kind k : {Kind::Tcp, Kind::Tcp6, Kind::Udp, Kind::Udp6, Kind::Raw, Kind::Raw6}) {
        EXPECT_TRUE(file_matches(f, make_file(p, 3, k, {}, 1), nullptr)) << kind_name(k);
    }
    for (Kind k : {Kind::Unix, Kind::Netlink, Kind::Packet, Kind::Socket, Kind::Pipe, Kind::File}) {
        EXPECT_FALSE(file_matches(f, make_file(p, 3, k, {}, 1), nullptr)) << kind_name(k);
    }
}

TEST(FileMatches, InetFamilyAndProtocol) {
    Process p = make_process(1, "x");
    auto tcp4 = make_file(p, 3, Kind::Tcp, {}, 1);
    auto tcp6 = make_file(p, 4, Kind::Tcp6, {}, 2);
    auto udp6 = make_file(p, 5, Kind::Udp6, {}, 3);
    EXPECT_FALSE(file_matches(inet("6"), tcp4, nullptr));
    EXPECT_TRUE(file_matches(inet("6"), tcp6, nullptr));
    EXPECT_TRUE(file_matches(inet("4tcp"), tcp4, nullptr));
    EXPECT_FALSE(file_matches(inet("4tcp"), tcp6, nullptr));
    EXPECT_TRUE(file_matches(inet("udp"), udp6, nullptr));
    EXPECT_FALSE(file_matches(inet("udp"), tcp6, nullptr));
    EXPECT_FALSE(file_matches(inet("raw"), tcp4, nullptr));
}

TEST(FileMatches, InetPortOnLocalOrRemoteSide) {
    Process p = make_process(1, "x");
    auto f = make_file(p, 3, Kind::Tcp, {}, 1);
    auto listener = make_socket(Kind::Tcp, "LISTEN", "0.0.0.0:80", "");
    auto client = make_socket(Kind::Tcp, "ESTAB", "10.0.0.2:55555", "10.0.0.1:80");
    auto other = make_socket(Kind::Tcp, "ESTAB", "10.0.0.2:55556", "10.0.0.1:443");
    EXPECT_TRUE(file_matches(inet(":80"), f, &listener));
    EXPECT_TRUE(file_matches(inet(":80"), f, &client));
    EXPECT_TRUE(file_matches(inet(":55555"), f, &client));
    EXPECT_FALSE(file_matches(inet(":80"), f, &other));
    EXPECT_FALSE(file_matches(inet(":81"), f, &listener));
    EXPECT_TRUE(file_matches(inet("tcp:443"), f, &other));
    EXPECT_FALSE(file_matches(inet("udp:443"), f, &other));
    // Without socket information a port cannot match.
    EXPECT_FALSE(file_matches(inet(":80"), f, nullptr));
}

TEST(FileMatches, InetHostAndPortMustMatchOneSide) {
    Process p = make_process(1, "x");
    auto f4 = make_file(p, 3, Kind::Tcp, {}, 1);
    auto f6 = make_file(p, 4, Kind::Tcp6, {}, 2);
    auto s4 = make_socket(Kind::Tcp, "ESTAB", "127.0.0.1:5000", "10.0.0.1:80");
    auto s6 = make_socket(Kind::Tcp6, "LISTEN", "[::1]:22", "");
    EXPECT_TRUE(file_matches(inet("@127.0.0.1"), f4, &s4));
    EXPECT_TRUE(file_matches(inet("@10.0.0.1:80"), f4, &s4));
    EXPECT_TRUE(file_matches(inet("@127.0.0.1:5000"), f4, &s4));
    EXPECT_FALSE(file_matches(inet("@127.0.0.1:80"), f4, &s4));  // host on one side, port on the other
    EXPECT_FALSE(file_matches(inet("@127.0.0.2"), f4, &s4));
    EXPECT_TRUE(file_matches(inet("6tcp@[::1]:22"), f6, &s6));
    EXPECT_TRUE(file_matches(inet("@[::1]"), f6, &s6));
    EXPECT_FALSE(file_matches(inet("@[::1]:23"), f6, &s6));
    EXPECT_FALSE(file_matches(inet("@[::1]"), f6, nullptr));
}

TEST(FileMatches, PathPrefix) {
    Process p = make_process(1, "x");
    LsFilter f;
    f.path_prefix = "/tmp/";
    EXPECT_TRUE(file_matches(f, make_file(p, 3, Kind::File, "/tmp/x"), nullptr));
    EXPECT_TRUE(file_matches(f, make_assoc(p, Assoc::Cwd, "/tmp/work"), nullptr));
    EXPECT_FALSE(file_matches(f, make_file(p, 4, Kind::File, "/var/tmp/x"), nullptr));
    EXPECT_FALSE(file_matches(f, make_file(p, 5, Kind::Dir, "/tmp"), nullptr));
    EXPECT_FALSE(file_matches(f, make_file(p, 6, Kind::Pipe, {}, 77), nullptr));
}

TEST(FileMatches, DeletedOnly) {
    Process p = make_process(1, "x");
    LsFilter f;
    f.deleted_only = true;
    auto gone = make_file(p, 3, Kind::File, "/tmp/gone");
    gone.deleted = true;
    EXPECT_TRUE(file_matches(f, gone, nullptr));
    EXPECT_FALSE(file_matches(f, make_file(p, 4, Kind::File, "/tmp/here"), nullptr));
}

TEST(FileMatches, NoCloexecKeepsOnlyFdRowsWithoutCloexec) {
    Process p = make_process(1, "x");
    LsFilter f;
    f.no_cloexec = true;
    auto leaky = make_file(p, 3, Kind::File, "/etc/hosts");
    leaky.has_pos = true;  // fdinfo read: O_CLOEXEC known
    auto closed = make_file(p, 4, Kind::File, "/etc/hosts");
    closed.has_pos = true;
    closed.cloexec = true;
    auto unknown = make_file(p, 5, Kind::Unknown);  // fdinfo refused: O_CLOEXEC unknown, not absent
    EXPECT_FALSE(file_matches(f, unknown, nullptr));
    auto cwd = make_assoc(p, Assoc::Cwd, "/");
    auto mem = make_assoc(p, Assoc::Mem, "/usr/lib/libc.so.6", Kind::File);
    EXPECT_TRUE(file_matches(f, leaky, nullptr));
    EXPECT_FALSE(file_matches(f, closed, nullptr));
    EXPECT_FALSE(file_matches(f, cwd, nullptr));
    EXPECT_FALSE(file_matches(f, mem, nullptr));
}

TEST(FileMatches, AllConditionsAreAnded) {
    Process p = make_process(1, "x");
    LsFilter f;
    f.kinds = {Kind::File};
    f.path_prefix = "/tmp/";
    f.deleted_only = true;
    auto a = make_file(p, 3, Kind::File, "/tmp/a");
    a.deleted = true;
    auto b = make_file(p, 4, Kind::File, "/tmp/b");       // not deleted
    auto c = make_file(p, 5, Kind::Dir, "/tmp/c");        // wrong kind
    c.deleted = true;
    EXPECT_TRUE(file_matches(f, a, nullptr));
    EXPECT_FALSE(file_matches(f, b, nullptr));
    EXPECT_FALSE(file_matches(f, c, nullptr));
}

TEST(ProcessMatches, CommandRegexAndUid) {
    Process bash = make_process(10, "bash", 1000);
    Process root_sh = make_process(11, "sh", 0);
    LsFilter any;
    EXPECT_TRUE(process_matches(any, bash));

    LsFilter by_cmd;
    by_cmd.command = std::regex("sh");
    EXPECT_TRUE(process_matches(by_cmd, bash));  // anywhere in comm
    EXPECT_TRUE(process_matches(by_cmd, root_sh));
    by_cmd.command = std::regex("^sh$");
    EXPECT_FALSE(process_matches(by_cmd, bash));
    EXPECT_TRUE(process_matches(by_cmd, root_sh));
    by_cmd.command = std::regex("^ba");
    EXPECT_TRUE(process_matches(by_cmd, bash));
    EXPECT_FALSE(process_matches(by_cmd, root_sh));

    LsFilter by_uid;
    by_uid.uid = 0;
    EXPECT_FALSE(process_matches(by_uid, bash));
    EXPECT_TRUE(process_matches(by_uid, root_sh));

    LsFilter both;
    both.uid = 1000;
    both.command = std::regex("sh");
    EXPECT_TRUE(process_matches(both, bash));
    EXPECT_FALSE(process_matches(both, root_sh));
}

// Regression test for a fixed bug: --path matches the stored name, which is empty for
// pipes and sockets read through fdinfo (the default), while the NAME column
// shows name_of()'s "pipe:[N]" / "socket:[N]". So `fdscope ls --path pipe:`
// lists no pipes although every NAME shown starts with "pipe:" -- and the
// same pipe matches when it was readlink'd (stored name "pipe:[N]").
// Expected true for both files below, actual false.
TEST(FileMatches, PathPrefixMatchesTheShownNameOfPipesAndSockets) {
    Process p = make_process(1, "x");
    LsFilter f;
    f.path_prefix = "pipe:[";
    auto pipe = make_file(p, 3, Kind::Pipe, {}, 4278167, Mode::Write);  // as read through fdinfo
    auto readlinked = make_file(p, 4, Kind::Pipe, "pipe:[4278167]", 4278167, Mode::Write);
    EXPECT_TRUE(file_matches(f, readlinked, nullptr));  // passes today
    EXPECT_TRUE(file_matches(f, pipe, nullptr)) << "pipe with empty stored name, shown as pipe:[4278167]";
    f.path_prefix = "socket:[";
    auto sock = make_file(p, 5, Kind::Socket, {}, 99, Mode::ReadWrite);
    EXPECT_TRUE(file_matches(f, sock, nullptr)) << "socket with empty stored name, shown as socket:[99]";
}

// ---------------------------------------------------------------- service names and hosts resolved

TEST(FileMatches, ServicePortsMatchPerProtocol) {
    Process p = make_process(1, "x");
    auto tcp = make_file(p, 3, Kind::Tcp, {}, 1);
    auto udp = make_file(p, 4, Kind::Udp, {}, 2);
    auto s80 = make_socket(Kind::Tcp, "LISTEN", "0.0.0.0:80", "");
    auto u80 = make_socket(Kind::Udp, "UNCONN", "0.0.0.0:80", "");
    LsFilter f = inet(":http");
    EXPECT_FALSE(file_matches(f, tcp, &s80)) << "an unresolved service matches nothing";
    f.inet->service_ports = {{"tcp", 80}};
    EXPECT_TRUE(file_matches(f, tcp, &s80));
    EXPECT_FALSE(file_matches(f, udp, &u80)) << "http is 80/tcp only here";
}

TEST(FileMatches, ResolvedHostMatchesAnyOfItsAddressesAndMappedOnes) {
    Process p = make_process(1, "x");
    auto f6 = make_file(p, 3, Kind::Tcp6, {}, 1);
    auto mapped = make_socket(Kind::Tcp6, "ESTAB", "[::ffff:127.0.0.1]:5000", "[::ffff:127.0.0.1]:80");
    LsFilter f = inet("@localhost");
    EXPECT_FALSE(file_matches(f, f6, &mapped)) << "an unresolved name matches nothing";
    f.inet->addresses = {*parse_ip("127.0.0.1"), *parse_ip("::1")};
    EXPECT_TRUE(file_matches(f, f6, &mapped));
    EXPECT_TRUE(file_matches(inet("@127.0.0.1:80"), f6, &mapped));
}

// ---------------------------------------------------------------- associations

TEST(ParseAssocList, NamesExclusionsAndErrors) {
    std::string err;
    EXPECT_EQ(parse_assoc_list({"fd"}, err), assoc_bit(Assoc::Fd));
    EXPECT_EQ(parse_assoc_list({"cwd", "rtd", "txt"}, err),
              assoc_bit(Assoc::Cwd) | assoc_bit(Assoc::Rtd) | assoc_bit(Assoc::Exe));
    EXPECT_EQ(parse_assoc_list({"^mem", "^shm"}, err), kEveryAssoc & ~(assoc_bit(Assoc::Mem) | assoc_bit(Assoc::Shm)));
    EXPECT_FALSE(parse_assoc_list({"heap"}, err));
    EXPECT_EQ(err, "unknown association 'heap' (fd, cwd, rtd, exe, mem, shm)");
    EXPECT_FALSE(parse_assoc_list({"fd", "^mem"}, err));
    EXPECT_EQ(err, "either names or ^exclusions, not both");
    EXPECT_FALSE(parse_assoc_list({}, err));
}

TEST(FileMatches, AssocFilterAndKindAreIndependent) {
    Process p = make_process(1, "x");
    auto fd = make_file(p, 3, Kind::File, "/usr/lib/libc.so.6");
    auto mem = make_assoc(p, Assoc::Mem, "/usr/lib/libc.so.6", Kind::File);
    auto cwd = make_assoc(p, Assoc::Cwd, "/");
    LsFilter files;
    files.kinds = {Kind::File};
    EXPECT_TRUE(file_matches(files, fd, nullptr));
    EXPECT_TRUE(file_matches(files, mem, nullptr)) << "a mapped file is a file";
    files.assocs = assoc_bit(Assoc::Fd);
    EXPECT_TRUE(file_matches(files, fd, nullptr));
    EXPECT_FALSE(file_matches(files, mem, nullptr));
    LsFilter mem_only;
    mem_only.assocs = assoc_bit(Assoc::Mem);
    EXPECT_TRUE(file_matches(mem_only, mem, nullptr));
    EXPECT_FALSE(file_matches(mem_only, fd, nullptr));
    EXPECT_FALSE(file_matches(mem_only, cwd, nullptr));
}
