// Feeds arbitrary bytes to parse_mountinfo and parse_mountinfo_with_super.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procfs/parse_mountinfo.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto mounts = fdscope::procfs::parse_mountinfo(text);
    std::size_t bytes = 0;
    for (const auto& m : mounts)
        bytes += m.root.size() + m.mount_point.size() + m.fstype.size() + m.source.size() + m.options.size();
    // Decoding only shrinks, and each line is used once.
    if (bytes > size) std::abort();
    // The long form keeps the same lines, plus what the short one drops.
    auto with_super = fdscope::procfs::parse_mountinfo_with_super(text);
    if (with_super.size() != mounts.size()) std::abort();
    for (std::size_t i = 0; i < mounts.size(); ++i) {
        if (with_super[i].mount.id != mounts[i].id || with_super[i].mount.options != mounts[i].options) std::abort();
        bytes += with_super[i].super_options.size();
    }
    if (bytes > size) std::abort();
    return 0;
}
