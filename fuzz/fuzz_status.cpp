// Feeds arbitrary bytes to parse_status.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "procfs/parse_status.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto st = fdscope::procfs::parse_status(text);
    if (st) {
        volatile std::uint64_t sink = static_cast<std::uint64_t>(st->tgid) + st->uid_real + st->threads;
        (void)sink;
    }
    return 0;
}
