#include "report/filter.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <charconv>
#include <netinet/in.h>

namespace fdscope::report {

std::optional<IpAddress> parse_ip(std::string_view text) {
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    const std::string s(text);
    IpAddress a;
    in_addr v4{};
    if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
        a.family = 4;
        std::copy_n(reinterpret_cast<const std::uint8_t*>(&v4), 4, a.bytes.begin());
        return a;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, s.c_str(), &v6) != 1) return std::nullopt;
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
        a.family = 4;
        std::copy_n(v6.s6_addr + 12, 4, a.bytes.begin());
    } else {
        a.family = 6;
        std::copy_n(v6.s6_addr, 16, a.bytes.begin());
    }
    return a;
}

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// What /etc/services names look like: "http", "domain-s", "x11", "z39.50".
bool service_syntax(std::string_view s) {
    if (s.empty() || !std::isalpha(static_cast<unsigned char>(s.front()))) return false;
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '+'; });
}

bool port_syntax(std::string_view s) { return all_digits(s) || service_syntax(s); }

// "PORT" or "SERVICE" (what follows the ':').
bool parse_port(std::string_view s, InetFilter& f, std::string& error) {
    if (s.empty()) {
        error = "expected ':PORT'";
        return false;
    }
    if (service_syntax(s)) {
        f.service = std::string(s);
        return true;
    }
    int port = -1;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
    if (!all_digits(s) || ec != std::errc() || p != s.data() + s.size() || port > 65535) {
        error = "port must be a number from 0 to 65535 or a service name";
        return false;
    }
    f.port = port;
    return true;
}

// The host after '@', in brackets or not; `rest` gets what follows it
// (":PORT" or nothing).
bool parse_host(std::string_view s, InetFilter& f, std::string_view& rest, std::string& error) {
    rest = {};
    if (!s.empty() && s[0] == '[') {
        const std::size_t close = s.find(']');
        if (close == std::string_view::npos) {
            error = "unterminated '[' in address";
            return false;
        }
        f.host = std::string(s.substr(1, close - 1));
        rest = s.substr(close + 1);
        if (!f.host.empty() && !parse_ip(f.host)) {
            error = "not a numeric address in brackets: [" + f.host + "]";
            return false;
        }
    } else if (std::count(s.begin(), s.end(), ':') <= 1) {
        const std::size_t colon = s.find(':');
        f.host = std::string(s.substr(0, colon));
        if (colon != std::string_view::npos) rest = s.substr(colon);
    } else {
        // An IPv6 address without brackets: "::1" alone, or an address and
        // a port when only that reading is an address ("::1:http").
        const bool whole = parse_ip(s).has_value();
        const std::size_t colon = s.rfind(':');
        const std::string_view head = s.substr(0, colon), tail = s.substr(colon + 1);
        const bool split = parse_ip(head).has_value() && port_syntax(tail);
        if (whole && split) {
            error = "'" + std::string(s) + "' is ambiguous: write @[" + std::string(head) + "]:" + std::string(tail) +
                    " for port " + std::string(tail) + " of " + std::string(head) + ", or @[" + std::string(s) +
                    "] for that address";
            return false;
        }
        if (!whole && !split) {
            error = "not an IPv6 address: " + std::string(s) + " (an IPv6 host goes in brackets: @[ADDRESS]:PORT)";
            return false;
        }
        f.host = std::string(whole ? s : head);
        if (!whole) rest = s.substr(colon);
    }
    if (f.host.empty()) {
        error = "empty host after '@'";
        return false;
    }
    if (auto a = parse_ip(f.host)) {
        const int written = f.host.find(':') == std::string::npos ? 4 : 6;
        if (f.family && f.family != written) {
            error = "-i " + std::to_string(f.family) + " with an IPv" + std::to_string(written) + " address";
            return false;
        }
        f.addresses.push_back(*a);
        return true;
    }
    const bool name_chars = std::all_of(f.host.begin(), f.host.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '.' || c == '_';
    });
    if (!name_chars) {
        error = "not a host name or a numeric address: " + f.host;
        return false;
    }
    f.host_is_name = true;
    return true;
}

}  // namespace

std::optional<InetFilter> parse_inet_filter(std::string_view s, std::string& error) {
    InetFilter f;
    if (!s.empty() && (s[0] == '4' || s[0] == '6')) {
        f.family = s[0] - '0';
        s.remove_prefix(1);
    }
    std::size_t end = s.find_first_of("@:");
    std::string proto(s.substr(0, end));
    std::transform(proto.begin(), proto.end(), proto.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!proto.empty() && proto != "tcp" && proto != "udp" && proto != "raw") {
        error = "unknown protocol '" + proto + "' (tcp, udp or raw)";
        return std::nullopt;
    }
    f.protocol = proto;
    s = end == std::string_view::npos ? std::string_view() : s.substr(end);
    if (!s.empty() && s[0] == '@' && !parse_host(s.substr(1), f, s, error)) return std::nullopt;
    if (!s.empty()) {
        if (s[0] != ':') {
            error = "expected ':PORT'";
            return std::nullopt;
        }
        if (!parse_port(s.substr(1), f, error)) return std::nullopt;
    }
    return f;
}

std::optional<std::string_view> address_host(std::string_view addr) {
    const std::size_t colon = addr.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view host = addr.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return host;
}

std::optional<AssocSet> parse_assoc_list(const std::vector<std::string>& names, std::string& error) {
    AssocSet chosen = 0, excluded = 0;
    for (const std::string& item : names) {
        const bool exclude = !item.empty() && item[0] == '^';
        const std::string_view name = std::string_view(item).substr(exclude ? 1 : 0);
        std::optional<Assoc> a;
        if (name == "fd") a = Assoc::Fd;
        else if (name == "exe" || name == "txt") a = Assoc::Exe;  // txt: lsof's name for it
        else
            for (Assoc x : {Assoc::Cwd, Assoc::Rtd, Assoc::Mem, Assoc::Shm})
                if (name == assoc_name(x)) a = x;
        if (!a) {
            error = "unknown association '" + std::string(name) + "' (fd, cwd, rtd, exe, mem, shm)";
            return std::nullopt;
        }
        (exclude ? excluded : chosen) |= assoc_bit(*a);
    }
    if (chosen && excluded) {
        error = "either names or ^exclusions, not both";
        return std::nullopt;
    }
    if (!chosen && !excluded) {
        error = "no association named";
        return std::nullopt;
    }
    return chosen ? chosen : static_cast<AssocSet>(kEveryAssoc & ~excluded);
}

namespace {

bool port_matches(const InetFilter& f, std::string_view proto, int port) {
    if (f.port >= 0) return port == f.port;
    if (f.service.empty()) return true;
    return std::any_of(f.service_ports.begin(), f.service_ports.end(),
                       [&](const InetFilter::ServicePort& s) { return s.protocol == proto && s.port == port; });
}

bool host_matches(const InetFilter& f, std::string_view host) {
    if (f.host.empty()) return true;
    const auto a = parse_ip(host);
    return a && std::find(f.addresses.begin(), f.addresses.end(), *a) != f.addresses.end();
}

bool inet_matches(const InetFilter& f, const OpenFile& file, const SocketInfo* sock) {
    int family = 0;
    std::string_view proto;
    switch (file.kind) {
        case Kind::Tcp: family = 4, proto = "tcp"; break;
        case Kind::Tcp6: family = 6, proto = "tcp"; break;
        case Kind::Udp: family = 4, proto = "udp"; break;
        case Kind::Udp6: family = 6, proto = "udp"; break;
        case Kind::Raw: family = 4, proto = "raw"; break;
        case Kind::Raw6: family = 6, proto = "raw"; break;
        default: return false;
    }
    if (f.family && f.family != family) return false;
    if (!f.protocol.empty() && f.protocol != proto) return false;
    if (f.host.empty() && f.port < 0 && f.service.empty()) return true;
    if (!sock) return false;
    const std::pair<const std::string*, int> ends[] = {{&sock->local, sock->local_port},
                                                        {&sock->remote, sock->remote_port}};
    for (const auto& [addr, port] : ends) {
        const auto host = address_host(*addr);  // none: an unconnected remote end ("")
        if (host && host_matches(f, *host) && port_matches(f, proto, port)) return true;
    }
    return false;
}

}  // namespace

bool process_matches(const LsFilter& f, const Process& p) {
    if (f.uid && p.uid != *f.uid) return false;
    if (f.command && !std::regex_search(p.comm, *f.command)) return false;
    return true;
}

bool file_matches(const LsFilter& f, const OpenFile& file, const SocketInfo* sock) {
    if (!(f.assocs & assoc_bit(file.assoc))) return false;
    if (!f.kinds.empty() && std::find(f.kinds.begin(), f.kinds.end(), file.kind) == f.kinds.end()) return false;
    if (f.inet && !inet_matches(*f.inet, file, sock)) return false;
    if (!f.path_prefix.empty()) {
        std::string buf;
        if (!name_of(file, buf).starts_with(f.path_prefix)) return false;
    }
    if (f.deleted_only && !file.deleted) return false;
    // An fd whose fdinfo could not be read has an unknown O_CLOEXEC.
    if (f.no_cloexec && (file.assoc != Assoc::Fd || file.cloexec || !file.has_pos)) return false;
    return true;
}

}  // namespace fdscope::report
