// `fdscope why bind [tcp|udp] [ADDR:]PORT`: the first byte picks the
// protocol word, the rest is the target. A parsed target must read back
// as an address that parses to the same operation.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "report/why/operation_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    static const char* const kProtocols[] = {"", "tcp", "udp", "sctp"};
    const std::string protocol = kProtocols[data[0] % 4];
    const std::string target(reinterpret_cast<const char*>(data + 1), size - 1);
    std::string error;
    const auto op = fdscope::report::why::parse_bind_inet(protocol, target, error);
    if (!op) {
        if (error.empty()) std::abort();
        return 0;
    }
    const std::string again = fdscope::report::why::address_text(*op);
    const auto round = fdscope::report::why::parse_bind_inet(protocol, again, error);
    if (!round || round->port != op->port || round->family != op->family ||
        (round->address != op->address && !op->address.empty()))
        std::abort();
    return 0;
}
