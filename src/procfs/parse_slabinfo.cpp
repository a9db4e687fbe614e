#include "procfs/parse_slabinfo.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

std::optional<std::uint64_t> parse_slab_active(std::string_view text, std::string_view name) {
    if (!text.starts_with("slabinfo - version: 2.")) return std::nullopt;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        // "filp   396    441    192 ..." : name, active_objs, num_objs, ...
        const std::size_t end = line.find_first_of(" \t");
        if (end == std::string_view::npos || line.substr(0, end) != name) continue;
        std::string_view rest = line.substr(end);
        const std::size_t b = rest.find_first_not_of(" \t");
        if (b == std::string_view::npos) return std::nullopt;
        rest = rest.substr(b);
        const std::size_t e = rest.find_first_of(" \t");
        return text::to_num<std::uint64_t>(rest.substr(0, e));
    }
    return std::nullopt;
}

}  // namespace fdscope::procfs
