// Feeds arbitrary bytes to parse_fdinfo and walks the detail it returns.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procfs/parse_fdinfo.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto fi = fdscope::procfs::parse_fdinfo(text);
    if (!fi) return 0;
    std::uint64_t sink = fi->pos + fi->flags + fi->ino;
    for (const auto& t : fi->detail.epoll_targets) sink += t.inode + t.events;
    for (const auto& w : fi->detail.inotify_watches) sink += w.inode + w.mask + w.sdev;
    // Every entry came from its own line ("tfd:..." is at least 4 bytes).
    if ((fi->detail.epoll_targets.size() + fi->detail.inotify_watches.size()) * 4 > size) std::abort();
    if (fi->detail.eventfd_count < -1) std::abort();  // clamped, never negative when shown
    volatile std::uint64_t v = sink;
    (void)v;
    return 0;
}
