// How a person and the JSON name the question asked: the operation, its
// flags, the subject, an errno.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/why_facts.hpp"

namespace fdscope::report::why {

// "open", "mkdir", ..., "bind", "connect", "write", "read" (the CLI's words).
std::string_view op_name(fdscope::why::Op op);

// The open(2) flags the question stands for, as O_ names: O_RDONLY,
// O_WRONLY or O_RDWR first, then O_CREAT, O_TRUNC, ... . Other
// operations: the protocol ("tcp", "udp", "unix") or nothing.
std::vector<std::string> operation_flags(const fdscope::why::Operation& op);

// "open /srv/x for write", "rename /a to /b", "bind tcp 127.0.0.1:80",
// "write to fd 5". Names are given as they are (the renderer escapes).
std::string describe_operation(const fdscope::why::Operation& op);

// Op::BindInet's address as ss prints it: "127.0.0.1:80", "[::1]:80", "0.0.0.0:80".
std::string address_text(const fdscope::why::Operation& op);

// "uid 1001 (app)", "pid 42 (nginx) as uid 33 (www-data)".
std::string describe_subject(const fdscope::why::Subject& s);

// "EACCES"; "errno N" when the C library has no name for it.
std::string errno_name(int error);

// `why bind` arguments: "[tcp|udp] [ADDR:]PORT" with ADDR an IPv4 address,
// "[IPv6]" or a bare IPv6 address followed by ":PORT"... only when it is
// unambiguous. Fills protocol, family, address and port; nullopt with
// `error` for bad input.
std::optional<fdscope::why::Operation> parse_bind_inet(std::string_view protocol, std::string_view target,
                                                       std::string& error);

}  // namespace fdscope::report::why
