// Feeds arbitrary bytes to the preload table's reader as the whole mapping
// (collect/preload_table): every copy it asks for must lie inside the
// mapping, and what it returns must be consistent (origins in fd order,
// each naming a stack it returned, no stack deeper than the layout allows).
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "collect/preload_table.hpp"
#include "sys/preload_layout.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace fdscope;
    const auto memory = [&](std::uint64_t offset, std::span<std::byte> to) {
        if (offset > size || size - offset < to.size()) std::abort();  // asked outside the mapping
        if (!to.empty()) std::memcpy(to.data(), data + offset, to.size());
        return 0;
    };
    static const std::vector<std::int32_t> fds = [] {
        std::vector<std::int32_t> v;
        for (std::int32_t fd = 0; fd < 40; fd += 1 + fd % 3) v.push_back(fd);
        v.push_back(900);
        return v;
    }();
    ProcessOrigins out;
    collect::read_preload_table(memory, size, fds, 1, out);
    if (!out.error.empty() && !out.fds.empty()) std::abort();
    if (out.stacks.empty()) std::abort();
    for (std::size_t i = 0; i < out.fds.size(); ++i) {
        const Origin& o = out.fds[i];
        if (i && out.fds[i - 1].fd >= o.fd) std::abort();
        if (o.stack >= out.stacks.size() || o.close_stack >= out.stacks.size()) std::abort();
    }
    for (const OriginStack& s : out.stacks)
        if (s.pcs.size() > sys::preload::kMaxDepth) std::abort();
    if (out.fds.size() + out.unseen + out.unstable != fds.size() && out.error.empty()) std::abort();
    return 0;
}
