// Row filters for `fdscope ls`, and the lsof-style -i specification.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "model/snapshot.hpp"

namespace fdscope::report {

// A numeric Internet address. An IPv4-mapped IPv6 address (::ffff:a.b.c.d,
// what a dual-stack socket shows for an IPv4 peer) is held as the IPv4
// address it maps, so that @127.0.0.1 matches it too.
struct IpAddress {
    int family = 0;                   // 4 or 6
    std::array<std::uint8_t, 16> bytes{};  // 4 used for IPv4
    bool operator==(const IpAddress&) const = default;
};

// A numeric IPv4 or IPv6 address without brackets; nullopt otherwise.
std::optional<IpAddress> parse_ip(std::string_view text);

// lsof's -i syntax: [46][protocol][@host][:port], every part optional.
// "-i" alone selects every Internet socket. An IPv6 host goes in brackets
// ("@[::1]:22"); without them a trailing ":PORT" is taken when only one
// reading is an address, and a spec with two readings is refused. A host
// may be a name and a port a service name: they are resolved outside this
// pure parser (the CLI fills `addresses` and `service_ports`).
struct InetFilter {
    int family = 0;           // 0 any, 4, 6
    std::string protocol;     // "", "tcp", "udp", "raw"
    std::string host;         // as given, brackets removed
    bool host_is_name = false;          // not a numeric address: resolve it
    std::vector<IpAddress> addresses;   // the host's: itself when numeric, else once resolved
    int port = -1;            // -1 any (or a service: see below)
    std::string service;      // a port given by name ("http")
    struct ServicePort {
        std::string protocol;  // "tcp" or "udp"
        int port;
    };
    std::vector<ServicePort> service_ports;  // what `service` names, per protocol
};

// nullopt and `error` set when the spec does not parse.
std::optional<InetFilter> parse_inet_filter(std::string_view spec, std::string& error);

// The host of an inet address text: "1.2.3.4" of "1.2.3.4:80", "::1" of
// "[::1]:22"; nullopt without a ':'. (The port is SocketInfo's number.)
std::optional<std::string_view> address_host(std::string_view addr);

// Associations a row can have, as a set (bit per Assoc).
using AssocSet = std::uint8_t;
inline constexpr AssocSet assoc_bit(Assoc a) { return static_cast<AssocSet>(1u << static_cast<unsigned>(a)); }
inline constexpr AssocSet kEveryAssoc = 0x3f;  // fd, cwd, rtd, exe, mem, shm

// --assoc's list: names from fd, cwd, rtd, exe (or lsof's txt), mem, shm;
// or only exclusions (^mem,^shm: everything else). nullopt and `error`
// set on an unknown name or a mix of both forms.
std::optional<AssocSet> parse_assoc_list(const std::vector<std::string>& names, std::string& error);

struct LsFilter {
    std::optional<std::regex> command;  // matched anywhere in comm (regex_search)
    std::optional<uid_t> uid;
    std::vector<Kind> kinds;            // the file's kind; a mapped file (mem) is a file too
    AssocSet assocs = kEveryAssoc;      // which associations: fds, cwd, ... (lsof and lsfd list them all)
    std::optional<InetFilter> inet;
    std::string path_prefix;
    bool deleted_only = false;
    bool no_cloexec = false;            // fds known to lack O_CLOEXEC (implies fds only)
};

bool process_matches(const LsFilter& f, const Process& p);
bool file_matches(const LsFilter& f, const OpenFile& file, const SocketInfo* sock);

}  // namespace fdscope::report
