// Feeds arbitrary bytes to parse_fanotify_marks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "procfs/parse_fanotify.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    volatile std::uint64_t sink = 0;
    for (const auto& m : fdscope::procfs::parse_fanotify_marks(text)) sink = sink + m.mask + m.inode;
    (void)sink;
    return 0;
}
