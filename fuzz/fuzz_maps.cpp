// Feeds arbitrary bytes to parse_maps; entries must be sane and inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procfs/parse_maps.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::size_t good = 0;
    std::size_t skipped = fdscope::procfs::parse_maps(text, [&](const fdscope::procfs::MapEntry& e) {
        if (e.start > e.end) std::abort();
        if (e.perms[4] != 0) std::abort();
        if (!e.path.empty() &&
            (e.path.data() < text.data() || e.path.data() + e.path.size() > text.data() + text.size()))
            std::abort();
        std::uint64_t sum = e.inode + e.offset + e.major + e.minor;
        for (char c : e.path) sum += static_cast<unsigned char>(c);
        volatile std::uint64_t sink = sum;
        (void)sink;
        ++good;
    });
    if (good + skipped > size) std::abort();  // at most one result per line
    return 0;
}
