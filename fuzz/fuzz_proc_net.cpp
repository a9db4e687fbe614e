// Feeds arbitrary bytes to every /proc/net table parser. Besides the
// sanitizers' checks: no entry is keyed by inode 0, and every entry is
// stamped with the namespace it was parsed for.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "model/kind.hpp"
#include "netlink/proc_net.hpp"

using namespace fdscope;
using namespace fdscope::netlink;

namespace {
void check(const SocketMap& m) {
    for (const auto& [ino, s] : m)
        if (ino == 0 || s.netns != 42) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    for (Kind k : {Kind::Tcp, Kind::Tcp6, Kind::Udp, Kind::Udp6, Kind::Raw, Kind::Raw6, Kind::Unix}) {
        SocketMap m;
        parse_proc_net_inet(text, k, 42, m);
        check(m);
    }
    for (Kind k : {Kind::Tcp, Kind::Tcp6, Kind::Udp})
        for (const auto& s : parse_proc_net_time_wait(text, k))
            if (s.state != "TIME-WAIT") std::abort();
    SocketMap m;
    parse_proc_net_unix(text, 42, m);
    parse_proc_net_netlink(text, 42, m);
    parse_proc_net_packet(text, 42, m);
    check(m);
    return 0;
}
