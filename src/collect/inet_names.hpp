// Host and service names of an -i filter, looked up as lsof looks them up:
// getaddrinfo(3) for a host (/etc/hosts, DNS: NSS), getservbyname_r(3) for
// a service (/etc/services).
#pragma once
#include <string>
#include <vector>

namespace fdscope::collect {

// Every address of `host` as numeric text ("127.0.0.1", "::1"); family 4
// or 6 asks for that family only, 0 for both. Empty with `error` set when
// the name does not resolve.
std::vector<std::string> host_addresses(const std::string& host, int family, std::string& error);

// The port of a service for "tcp" or "udp"; -1 when /etc/services has no
// such service for that protocol.
int service_port(const std::string& service, const char* protocol);

}  // namespace fdscope::collect
