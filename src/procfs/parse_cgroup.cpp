#include "procfs/parse_cgroup.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

std::optional<std::string> parse_cgroup_path(std::string_view text) {
    std::optional<std::string> first_v1;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::string_view line = text::next_line(rest);
        std::size_t c1 = line.find(':');
        if (c1 == std::string_view::npos) continue;
        std::size_t c2 = line.find(':', c1 + 1);
        if (c2 == std::string_view::npos) continue;
        auto id = text::to_num<unsigned>(line.substr(0, c1));
        std::string_view path = line.substr(c2 + 1);  // a path may hold ':' itself
        if (!id || path.empty()) continue;
        if (*id == 0 && c2 == c1 + 1) return std::string(path);
        if (!first_v1) first_v1 = std::string(path);
    }
    return first_v1;
}

}  // namespace fdscope::procfs
