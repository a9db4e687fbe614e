#include "report/filter.hpp"

#include <algorithm>
#include <charconv>

namespace fdscope::report {

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
    if (!s.empty() && s[0] == '@') {
        s.remove_prefix(1);
        std::size_t colon;
        if (!s.empty() && s[0] == '[') {
            std::size_t close = s.find(']');
            if (close == std::string_view::npos) {
                error = "unterminated '[' in address";
                return std::nullopt;
            }
            f.host = std::string(s.substr(1, close - 1));
            s.remove_prefix(close + 1);
            colon = 0;
        } else {
            colon = s.rfind(':');
            // An IPv6 address without brackets has several colons: no port.
            if (colon != std::string_view::npos && s.find(':') != colon) colon = std::string_view::npos;
            f.host = std::string(s.substr(0, colon));
            s = colon == std::string_view::npos ? std::string_view() : s.substr(colon);
        }
        if (f.host.empty()) {
            error = "empty host after '@'";
            return std::nullopt;
        }
    }
    if (!s.empty()) {
        if (s[0] != ':' || s.size() == 1) {
            error = "expected ':PORT'";
            return std::nullopt;
        }
        int port = -1;
        auto [p, ec] = std::from_chars(s.data() + 1, s.data() + s.size(), port);
        if (ec != std::errc() || p != s.data() + s.size() || port < 0 || port > 65535) {
            error = "port must be a number from 0 to 65535";
            return std::nullopt;
        }
        f.port = port;
    }
    return f;
}

bool split_address(std::string_view addr, std::string_view& host, int& port) {
    std::size_t colon = addr.rfind(':');
    if (colon == std::string_view::npos) return false;
    host = addr.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    auto tail = addr.substr(colon + 1);
    if (tail == "*") {
        port = 0;
        return true;
    }
    auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), port);
    return ec == std::errc() && p == tail.data() + tail.size();
}

namespace {

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
    if (f.host.empty() && f.port < 0) return true;
    if (!sock) return false;
    for (const std::string* addr : {&sock->local, &sock->remote}) {
        std::string_view host;
        int port = -1;
        if (!split_address(*addr, host, port)) continue;
        if (!f.host.empty() && host != f.host) continue;
        if (f.port >= 0 && port != f.port) continue;
        return true;
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
    if (!f.kinds.empty() && std::find(f.kinds.begin(), f.kinds.end(), file.kind) == f.kinds.end()) return false;
    if (f.inet && !inet_matches(*f.inet, file, sock)) return false;
    if (!f.path_prefix.empty()) {
        std::string buf;
        if (!name_of(file, buf).starts_with(f.path_prefix)) return false;
    }
    if (f.deleted_only && !file.deleted) return false;
    if (f.no_cloexec && (file.assoc != Assoc::Fd || file.cloexec)) return false;
    return true;
}

}  // namespace fdscope::report
