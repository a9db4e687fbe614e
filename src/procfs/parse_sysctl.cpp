#include "procfs/parse_sysctl.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

std::optional<std::int64_t> parse_sysctl_int(std::string_view text) {
    return text::to_num<std::int64_t>(text::trim(text));
}

std::optional<FileNr> parse_file_nr(std::string_view text) {
    std::string_view rest = text;
    auto allocated = text::to_num<std::uint64_t>(text::next_token(rest));
    auto unused = text::to_num<std::uint64_t>(text::next_token(rest));
    auto max = text::to_num<std::uint64_t>(text::next_token(rest));
    if (!allocated || !unused || !max || !text::trim(rest).empty()) return std::nullopt;
    return FileNr{*allocated, *unused, *max};
}

}  // namespace fdscope::procfs
