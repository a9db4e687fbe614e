// Feeds arbitrary bytes to parse_ext4_reserved.
#include <cstddef>
#include <cstdint>
#include <span>

#include "procfs/parse_ext4_super.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (auto r = fdscope::procfs::parse_ext4_reserved(std::span<const unsigned char>(data, size))) {
        volatile std::uint64_t sink = r->resuid + r->resgid + r->reserved_blocks;
        (void)sink;
    }
    return 0;
}
