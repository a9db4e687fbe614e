// Feeds arbitrary bytes to parse_locks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procfs/parse_locks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    for (const auto& l : fdscope::procfs::parse_locks(text))
        if (l.type.data() < text.data() || l.type.data() + l.type.size() > text.data() + text.size()) std::abort();
    return 0;
}
