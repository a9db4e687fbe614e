#include "report/why/operation_text.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>
#include <fmt/format.h>

namespace fdscope::report::why {

using fdscope::why::Op;
using fdscope::why::Operation;

std::string_view op_name(Op op) {
    switch (op) {
    case Op::Open: return "open";
    case Op::Mkdir: return "mkdir";
    case Op::Rmdir: return "rmdir";
    case Op::Unlink: return "unlink";
    case Op::Rename: return "rename";
    case Op::Link: return "link";
    case Op::Symlink: return "symlink";
    case Op::Exec: return "exec";
    case Op::Chdir: return "chdir";
    case Op::BindInet: case Op::BindUnix: return "bind";
    case Op::ConnectUnix: return "connect";
    case Op::Write: return "write";
    case Op::Read: return "read";
    }
    return "open";
}

namespace {

std::string_view protocol_name(const Operation& op) {
    if (op.op == Op::BindUnix || op.op == Op::ConnectUnix) return "unix";
    return op.protocol == IPPROTO_UDP ? "udp" : "tcp";
}

}  // namespace

std::string address_text(const Operation& op) {
    const std::string addr = op.address.empty() ? (op.family == AF_INET6 ? "[::]" : "0.0.0.0")
                             : op.family == AF_INET6 ? "[" + op.address + "]"
                                                     : op.address;
    return fmt::format("{}:{}", addr, op.port);
}

std::vector<std::string> operation_flags(const Operation& op) {
    std::vector<std::string> out;
    switch (op.op) {
    case Op::Open: {
        const auto& f = op.open;
        out.emplace_back(f.write ? (f.read ? "O_RDWR" : "O_WRONLY") : "O_RDONLY");
        if (f.create) out.emplace_back("O_CREAT");
        if (f.excl) out.emplace_back("O_EXCL");
        if (f.trunc) out.emplace_back("O_TRUNC");
        if (f.append) out.emplace_back("O_APPEND");
        if (f.directory) out.emplace_back("O_DIRECTORY");
        if (f.nofollow) out.emplace_back("O_NOFOLLOW");
        if (f.noatime) out.emplace_back("O_NOATIME");
        break;
    }
    case Op::BindInet: case Op::BindUnix: case Op::ConnectUnix:
        out.emplace_back(protocol_name(op));
        break;
    default:
        break;
    }
    return out;
}

std::string describe_operation(const Operation& op) {
    switch (op.op) {
    case Op::Open: {
        const auto& f = op.open;
        std::string how = f.write ? (f.read ? "read and write" : "write") : "read";
        if (f.create) how += f.excl ? ", creating it (exclusive)" : ", creating it";
        if (f.trunc) how += ", truncating";
        if (f.append) how += ", appending";
        return fmt::format("open {} for {}", op.path, how);
    }
    case Op::Rename: return fmt::format("rename {} to {}", op.path, op.path2);
    case Op::Link: return fmt::format("link {} as {}", op.path, op.path2);
    case Op::Symlink: return fmt::format("symlink {} pointing to {}", op.path2, op.path);
    case Op::BindInet: return fmt::format("bind {} {}", protocol_name(op), address_text(op));
    case Op::BindUnix: return fmt::format("bind unix {}", op.path);
    case Op::ConnectUnix: return fmt::format("connect unix {}", op.path);
    case Op::Write: return fmt::format("write to fd {}", op.fd);
    case Op::Read: return fmt::format("read from fd {}", op.fd);
    default: return fmt::format("{} {}", op_name(op.op), op.path);
    }
}

std::string describe_subject(const fdscope::why::Subject& s) {
    const std::string user = s.user_name.empty() ? fmt::format("uid {}", s.euid)
                                                 : fmt::format("uid {} ({})", s.euid, s.user_name);
    switch (s.kind) {
    case fdscope::why::SubjectKind::Process:
        if (s.tid != 0 && s.tid != s.pid)
            return fmt::format("pid {} thread {} ({}) as {}", s.pid, s.tid, s.command, user);
        return fmt::format("pid {} ({}) as {}", s.pid, s.command, user);
    default:
        return user;
    }
}

std::string errno_name(int error) {
    if (error == 0) return "0";
    if (const char* n = strerrorname_np(error)) return n;
    return fmt::format("errno {}", error);
}

std::optional<Operation> parse_bind_inet(std::string_view protocol, std::string_view target, std::string& error) {
    Operation op;
    op.op = Op::BindInet;
    if (protocol.empty() || protocol == "tcp") op.protocol = IPPROTO_TCP;
    else if (protocol == "udp") op.protocol = IPPROTO_UDP;
    else {
        error = fmt::format("unknown protocol '{}' (tcp, udp or unix)", protocol);
        return std::nullopt;
    }
    op.family = AF_INET;
    std::string_view port = target;
    if (!target.empty() && target.front() == '[') {
        const auto close = target.find(']');
        if (close == std::string_view::npos || close + 1 >= target.size() || target[close + 1] != ':') {
            error = "an IPv6 address is written [ADDR]:PORT";
            return std::nullopt;
        }
        op.address = std::string(target.substr(1, close - 1));
        op.family = AF_INET6;
        port = target.substr(close + 2);
    } else if (const auto colon = target.rfind(':'); colon != std::string_view::npos) {
        if (target.find(':') != colon) {
            error = "an IPv6 address needs brackets: [ADDR]:PORT";
            return std::nullopt;
        }
        op.address = std::string(target.substr(0, colon));
        port = target.substr(colon + 1);
        if (op.address == "*") op.address.clear();
    }
    if (!op.address.empty()) {
        unsigned char buf[sizeof(in6_addr)];
        if (inet_pton(op.family, op.address.c_str(), buf) != 1) {
            error = fmt::format("not an {} address: '{}'", op.family == AF_INET6 ? "IPv6" : "IPv4", op.address);
            return std::nullopt;
        }
    }
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
        error = fmt::format("not a port number: '{}'", port);
        return std::nullopt;
    }
    op.port = static_cast<std::uint16_t>(value);
    return op;
}

}  // namespace fdscope::report::why
