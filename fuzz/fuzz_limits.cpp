// Feeds arbitrary bytes to parse_nofile_limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procfs/parse_limits.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto l = fdscope::procfs::parse_nofile_limit(text);
    if (l && !l->known) std::abort();
    return 0;
}
