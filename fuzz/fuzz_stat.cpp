// Feeds arbitrary bytes to parse_stat; the sanitizers do the checking.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procfs/parse_stat.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto st = fdscope::procfs::parse_stat(text);
    if (st) {
        // comm lies between the first '(' and the last ')', so it is shorter than the input.
        if (st->comm.size() + 2 > size) std::abort();
        volatile char c = st->state;
        (void)c;
    }
    return 0;
}
