// Feeds arbitrary bytes to parse_local (a socket's local address as the
// inventory writes it): an address it returns is IPv4 or IPv6 and overlaps
// itself.
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "report/why/inet_bind_rules.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto a = fdscope::report::why::parse_local(text);
    if (!a) return 0;
    if (a->family != AF_INET && a->family != AF_INET6) std::abort();
    if (!fdscope::report::why::addresses_overlap(*a, *a, false)) std::abort();
    return 0;
}
