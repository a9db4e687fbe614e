#include "procfs/parse_sysfs.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

std::optional<FileNr> parse_file_nr(std::string_view text) {
    // "allocated\tfree\tmax\n"; free is always 0 since 2.6.
    std::string_view s = text::trim(text);
    auto allocated = text::to_num<std::uint64_t>(text::next_token(s));
    auto free = text::to_num<std::uint64_t>(text::next_token(s));
    auto max = text::to_num<std::uint64_t>(text::next_token(s));
    if (!allocated || !free || !max || !text::next_token(s).empty()) return std::nullopt;
    return FileNr{*allocated, *free, *max};
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
    return text::to_num<std::uint64_t>(text::trim(text));
}

std::optional<std::int32_t> parse_pid_name(std::string_view name) {
    // Canonical decimal only: /proc never shows "+1", "-1" or "007", and
    // accepting them would give two names for one pid.
    if (name.empty() || name[0] < '1' || name[0] > '9') return std::nullopt;
    for (char c : name)
        if (c < '0' || c > '9') return std::nullopt;
    return text::to_num<std::int32_t>(name);
}

}  // namespace fdscope::procfs
