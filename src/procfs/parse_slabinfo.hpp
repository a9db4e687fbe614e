// /proc/slabinfo (root only): one cache's active objects.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace fdscope::procfs {

// The <active_objs> of the cache named `name` ("filp": every struct file the
// kernel has allocated). nullopt when the cache is not listed (SLUB may
// merge it with another cache of the same size) or the text is not slabinfo 2.x.
std::optional<std::uint64_t> parse_slab_active(std::string_view text, std::string_view name);

}  // namespace fdscope::procfs
