#include "report/why/inet_bind_rules.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fmt/format.h>
#include <linux/capability.h>

#include "report/why/layers.hpp"
#include "report/why/operation_text.hpp"
#include "report/why/process_text.hpp"

namespace fdscope::report::why {
namespace {

using fdscope::why::SocketHolder;

std::optional<InetAddress> parse_host(std::string host, std::uint16_t port) {
    InetAddress a;
    a.port = port;
    if (!host.empty() && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    // ss writes a dual-stack IPv6 wildcard as "*".
    if (host == "*") {
        a.family = AF_INET6;
        a.wildcard = true;
        return a;
    }
    if (inet_pton(AF_INET, host.c_str(), a.bytes.data()) == 1) {
        a.family = AF_INET;
    } else if (inet_pton(AF_INET6, host.c_str(), a.bytes.data()) == 1) {
        a.family = AF_INET6;
        static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::memcmp(a.bytes.data(), kMapped, sizeof kMapped) == 0) {
            // ::ffff:a.b.c.d binds the IPv4 address.
            a.family = AF_INET;
            a.v4mapped = true;
            std::memmove(a.bytes.data(), a.bytes.data() + 12, 4);
            std::fill(a.bytes.begin() + 4, a.bytes.end(), 0);
        }
    } else {
        return std::nullopt;
    }
    a.wildcard = std::all_of(a.bytes.begin(), a.bytes.end(), [](unsigned char b) { return b == 0; });
    return a;
}

// The address the operation binds: "" is the wildcard of its family.
std::optional<InetAddress> operation_address(const fdscope::why::Operation& op) {
    if (!op.address.empty()) return parse_host(op.address, op.port);
    InetAddress a;
    a.family = op.family == AF_INET6 ? AF_INET6 : AF_INET;
    a.wildcard = true;
    a.port = op.port;
    return a;
}

std::string_view protocol_name(int protocol) { return protocol == IPPROTO_UDP ? "udp" : "tcp"; }

// ns_capable(net->user_ns, ...): a capability of a process in a child user
// namespace counts only for a network namespace that namespace owns,
// which an unshared network namespace (not ours) is taken to be.
bool bind_service_counts(const fdscope::why::Subject& s) {
    return has_cap(s, CAP_NET_BIND_SERVICE) && (s.init_user_ns || !s.same_net_ns);
}

Check port_floor(const Facts& facts) {
    const auto& op = facts.operation;
    const auto& s = facts.subject;
    Check c;
    c.layer = Layer::Capability;
    c.path = address_text(op);
    if (op.port == 0) {
        c.result = Result::Skip;
        c.detail = "port 0: the kernel picks a free port";
        return c;
    }
    if (bind_service_counts(s)) {
        c.detail = fmt::format("port {}: CAP_NET_BIND_SERVICE present", op.port);
        return c;
    }
    if (!facts.sysctls.known) {
        c.result = Result::Unknown;
        c.detail = "net.ipv4.ip_unprivileged_port_start not read";
        c.explain = fmt::format("whether port {} needs CAP_NET_BIND_SERVICE is not known", op.port);
        return c;
    }
    const int floor = facts.sysctls.ip_unprivileged_port_start;
    const std::string cap = has_cap(s, CAP_NET_BIND_SERVICE)
                                ? fmt::format("CAP_NET_BIND_SERVICE held in user namespace {}, which does not own it",
                                              s.user_ns)
                                : std::string("CAP_NET_BIND_SERVICE absent");
    if (op.port >= floor) {
        c.detail = fmt::format("port {} >= net.ipv4.ip_unprivileged_port_start {}", op.port, floor);
        return c;
    }
    c.result = Result::Fail;
    c.error = EACCES;
    c.detail = fmt::format("port {} < net.ipv4.ip_unprivileged_port_start {} in netns {}; {}", op.port, floor, s.net_ns,
                           cap);
    c.explain = fmt::format("ports below {} need CAP_NET_BIND_SERVICE, which {} lacks", floor, subject_text(s));
    const std::string unit = unit_of(s.cgroup);
    c.fix = fmt::format("setcap cap_net_bind_service=+ep {}, or AmbientCapabilities=CAP_NET_BIND_SERVICE in {}, or "
                        "(as root, for the whole network namespace) sysctl -w net.ipv4.ip_unprivileged_port_start={}",
                        s.command.empty() ? std::string("PROGRAM") : "$(command -v " + s.command + ")",
                        unit.empty() ? std::string("its unit") : unit, op.port);
    return c;
}

std::string pids_text(const std::vector<Holder>& holders) {
    std::vector<pid_t> seen;
    std::string out;
    for (const auto& h : holders) {
        if (std::find(seen.begin(), seen.end(), h.pid) != seen.end()) continue;
        seen.push_back(h.pid);
        out += (out.empty() ? "" : " ") + std::to_string(h.pid);
    }
    return out;
}

std::optional<Check> conflict(const Facts& facts, const InetAddress& ours, const SocketHolder& h) {
    const auto& op = facts.operation;
    if (h.protocol != 0 && h.protocol != op.protocol) return std::nullopt;
    const auto theirs = parse_local(h.local);
    if (!theirs || !addresses_overlap(ours, *theirs, h.v6only)) return std::nullopt;
    Check c;
    c.layer = Layer::Busy;
    c.path = h.local;
    c.error = EADDRINUSE;
    c.holders = h.holders;
    c.detail = fmt::format("{} {} {} uid {}", protocol_name(op.protocol), h.local, h.state, h.uid);
    if (h.reuseaddr) c.detail += " SO_REUSEADDR";
    if (h.reuseport) c.detail += " SO_REUSEPORT";
    if (h.state == "TIME_WAIT" && h.holders.empty()) {
        c.result = Result::Note;
        c.explain = fmt::format("a closed connection on {} waits out TIME_WAIT with no owner: the bind fails with "
                                "EADDRINUSE unless the program sets SO_REUSEADDR (most servers do)",
                                h.local);
        c.fix = "set SO_REUSEADDR before bind(), or wait for TIME_WAIT to end (60 s)";
        return c;
    }
    c.result = Result::Fail;
    c.detail += h.holders.empty() ? "; no process holds it" : "; held by " + holders_text(h.holders);
    c.explain = fmt::format("{} is already bound by {}", h.local,
                            h.holders.empty() ? std::string("a socket no process holds (a kernel socket, or one "
                                                            "in a process fdscope could not read)")
                                              : holders_text(h.holders));
    if (h.reuseport && h.uid == facts.subject.euid)
        c.explain += fmt::format("; it has SO_REUSEPORT: a socket of uid {} that sets SO_REUSEPORT too may share it",
                                 h.uid);
    else if (op.protocol == IPPROTO_UDP && h.reuseaddr)
        c.explain += "; it has SO_REUSEADDR: a UDP socket that sets SO_REUSEADDR too may share it";
    c.fix = h.holders.empty() ? std::string("bind another address or port")
                              : fmt::format("stop every process holding it (pid {}: a listener inherited by a child "
                                            "stays bound until the child closes it too), or bind another port",
                                            pids_text(h.holders));
    return c;
}

}  // namespace

std::optional<InetAddress> parse_local(std::string_view local) {
    const std::size_t colon = local.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::string_view port_text = local.substr(colon + 1);
    std::uint16_t port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size()) return std::nullopt;
    return parse_host(std::string(local.substr(0, colon)), port);
}

bool addresses_overlap(const InetAddress& a, const InetAddress& b, bool b_v6only) {
    if (a.port != b.port) return false;
    if (a.family == b.family) return a.wildcard || b.wildcard || a.bytes == b.bytes;
    // One IPv4, one IPv6: only an IPv6 wildcard that is not IPv6-only takes
    // the IPv4 port. The socket being bound is taken as dual-stack
    // (net.ipv6.bindv6only defaults to 0).
    const bool a_is_v6 = a.family == AF_INET6;
    const InetAddress& six = a_is_v6 ? a : b;
    const bool v6only = a_is_v6 ? false : b_v6only;
    return six.wildcard && !v6only;
}

std::vector<Check> inet_bind_checks(const Facts& facts) {
    const auto& op = facts.operation;
    if (op.op != fdscope::why::Op::BindInet) return {};
    std::vector<Check> checks{port_floor(facts)};
    const auto ours = operation_address(op);
    if (!ours) {
        Check c;
        c.layer = Layer::Busy;
        c.path = op.address;
        c.result = Result::Unknown;
        c.detail = "the address could not be read: " + op.address;
        checks.push_back(c);
        return checks;
    }
    if (op.port == 0) return checks;
    bool busy = false;
    for (const auto& h : facts.address_holders) {
        if (auto c = conflict(facts, *ours, h)) {
            busy = busy || c->result == Result::Fail;
            checks.push_back(std::move(*c));
        }
    }
    if (!busy) {
        Check c;
        c.layer = Layer::Busy;
        c.path = address_text(op);
        c.detail = fmt::format("no {} socket holds an overlapping address on port {}", protocol_name(op.protocol), op.port);
        checks.push_back(c);
    }
    return checks;
}

}  // namespace fdscope::report::why
