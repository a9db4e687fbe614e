#include "collect/inet_names.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <set>
#include <sys/socket.h>

namespace fdscope::collect {

std::vector<std::string> host_addresses(const std::string& host, int family, std::string& error) {
    addrinfo hints{};
    hints.ai_family = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;  // one entry per address, not one per socket type
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res); rc != 0) {
        error = ::gai_strerror(rc);
        return {};
    }
    std::set<std::string> seen;
    std::vector<std::string> out;
    for (const addrinfo* a = res; a; a = a->ai_next) {
        char text[INET6_ADDRSTRLEN] = {};
        const void* bytes = nullptr;
        if (a->ai_family == AF_INET) bytes = &reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr;
        else if (a->ai_family == AF_INET6) bytes = &reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr;
        if (bytes && ::inet_ntop(a->ai_family, bytes, text, sizeof text) && seen.insert(text).second) out.push_back(text);
    }
    ::freeaddrinfo(res);
    if (out.empty()) error = "no address";
    return out;
}

int service_port(const std::string& service, const char* protocol) {
    servent entry{}, *found = nullptr;
    char buf[4096];
    if (::getservbyname_r(service.c_str(), protocol, &entry, buf, sizeof buf, &found) != 0 || !found) return -1;
    return ntohs(static_cast<std::uint16_t>(found->s_port));
}

}  // namespace fdscope::collect
