#include "procfs/parse_lsm.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

std::vector<std::string> parse_lsm_list(std::string_view text) {
    std::vector<std::string> out;
    std::string_view rest = text::trim(text);
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        std::string_view one = text::trim(rest.substr(0, comma));
        if (!one.empty()) out.emplace_back(one);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return out;
}

}  // namespace fdscope::procfs
