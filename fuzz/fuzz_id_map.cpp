// Feeds arbitrary bytes to parse_id_map (uid_map, gid_map).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procfs/parse_id_map.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto m = fdscope::procfs::parse_id_map(text);
    if (m) {
        // Each extent takes at least "0 0 1" of text; a count is never 0.
        if (m->size() * 5 > size) std::abort();
        for (const auto& e : *m)
            if (e.count == 0) std::abort();
        (void)fdscope::procfs::is_identity_map(*m);
    }
    return 0;
}
