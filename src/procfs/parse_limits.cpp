#include "procfs/parse_limits.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

namespace {

std::optional<std::uint64_t> limit_value(std::string_view tok) {
    if (tok == "unlimited") return kUnlimited;
    return text::to_num<std::uint64_t>(tok);
}

}  // namespace

std::optional<Limit> parse_nofile_limit(std::string_view text) { return parse_limit(text, "Max open files"); }

std::optional<Limit> parse_limit(std::string_view text, std::string_view kName) {
    // "Max open files            20000                20000                files     "
    // The name holds blanks, so the line is found by its prefix and the
    // numbers are the two tokens that follow it.
    std::string_view rest = text;
    while (!rest.empty()) {
        std::string_view line = text::next_line(rest);
        if (!line.starts_with(kName)) continue;
        line.remove_prefix(kName.size());
        if (line.empty() || (line[0] != ' ' && line[0] != '\t')) continue;
        auto soft = limit_value(text::next_token(line));
        auto hard = limit_value(text::next_token(line));
        if (!soft || !hard) return std::nullopt;
        Limit l;
        l.soft = *soft;
        l.hard = *hard;
        l.known = true;
        return l;
    }
    return std::nullopt;
}

}  // namespace fdscope::procfs
