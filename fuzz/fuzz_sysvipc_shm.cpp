// Feeds arbitrary bytes to parse_sysvipc_shm.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procfs/parse_sysvipc_shm.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto segs = fdscope::procfs::parse_sysvipc_shm(text);
    for (const auto& s : segs)
        if (s.key < 0 || s.key > 0xffffffffll) std::abort();  // keys are folded to 32 bits
    if (segs.size() * 16 > size) std::abort();  // a row holds at least 8 numbers and blanks
    return 0;
}
