// Feeds arbitrary bytes to parse_cgroup_path.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procfs/parse_cgroup.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto path = fdscope::procfs::parse_cgroup_path(text);
    if (path && (path->empty() || path->size() > size)) std::abort();
    return 0;
}
