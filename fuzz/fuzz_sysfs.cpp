// Feeds arbitrary bytes to the one-number parsers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "procfs/parse_sysfs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto nr = fdscope::procfs::parse_file_nr(text);
    auto v = fdscope::procfs::parse_u64(text);
    auto pid = fdscope::procfs::parse_pid_name(text);
    if (pid) {
        // Only canonical names: formatting the pid gives the name back.
        if (*pid <= 0 || std::to_string(*pid) != text) std::abort();
    }
    volatile std::uint64_t sink = (nr ? nr->allocated + nr->max : 0) + (v ? *v : 0);
    (void)sink;
    return 0;
}
