// Feeds arbitrary bytes to parse_cgroup_path and the sysctl parsers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procfs/parse_cgroup.hpp"
#include "procfs/parse_sysctl.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto path = fdscope::procfs::parse_cgroup_path(text);
    if (path && (path->empty() || path->size() > size)) std::abort();
    (void)fdscope::procfs::parse_sysctl_int(text);
    auto nr = fdscope::procfs::parse_file_nr(text);
    if (nr && size < 5) std::abort();
    return 0;
}
