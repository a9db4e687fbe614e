#include "procfs/parse_id_map.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

std::optional<std::vector<why::IdMapExtent>> parse_id_map(std::string_view text) {
    std::vector<why::IdMapExtent> map;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::string_view line = text::next_line(rest);
        if (text::trim(line).empty()) continue;
        auto inside = text::to_num<std::uint32_t>(text::next_token(line));
        auto outside = text::to_num<std::uint32_t>(text::next_token(line));
        auto count = text::to_num<std::uint32_t>(text::next_token(line));
        if (!inside || !outside || !count || *count == 0 || !text::trim(line).empty()) return std::nullopt;
        map.push_back({*inside, *outside, *count});
    }
    return map;
}

bool is_identity_map(const std::vector<why::IdMapExtent>& map) {
    return map.size() == 1 && map[0].inside == 0 && map[0].outside == 0 && map[0].count == 4294967295u;
}

}  // namespace fdscope::procfs
