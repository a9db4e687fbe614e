// Feeds arbitrary bytes to parse_slab_active.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "procfs/parse_slabinfo.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)fdscope::procfs::parse_slab_active(text, "filp");
    return 0;
}
