// Feeds arbitrary bytes to parse_mountinfo.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procfs/parse_mountinfo.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto mounts = fdscope::procfs::parse_mountinfo(text);
    std::size_t bytes = 0;
    for (const auto& m : mounts)
        bytes += m.root.size() + m.mount_point.size() + m.fstype.size() + m.source.size() + m.options.size();
    // Decoding only shrinks, and each line is used once.
    if (bytes > size) std::abort();
    return 0;
}
