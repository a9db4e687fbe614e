// Feeds arbitrary bytes to parse_lsm_list.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "procfs/parse_lsm.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    volatile std::size_t sink = fdscope::procfs::parse_lsm_list(text).size();
    (void)sink;
    return 0;
}
