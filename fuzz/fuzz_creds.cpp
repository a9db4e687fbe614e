// Feeds arbitrary bytes to parse_creds (a thread's /proc status).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procfs/parse_creds.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto c = fdscope::procfs::parse_creds(text);
    if (c) {
        // Each group takes at least two bytes of text ("1 ").
        if (c->groups.size() > size / 2 + 1) std::abort();
        if (!c->same_creds(*c)) std::abort();
    }
    return 0;
}
