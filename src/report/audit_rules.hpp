// Which audit findings are accepted: kinds left out (--ignore) and the
// rules of a suppression file (--suppress), one a line: KIND COMMAND
// [PATTERN]; COMMAND and PATTERN are shell globs ("*" for any); a PATTERN of
// ":PORT" matches a socket's local port, any other the finding's name. Pure.
#pragma once
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "report/audit.hpp"

namespace fdscope::report {

struct SuppressRule {
    std::string kind, command, pattern;
};

bool is_finding_kind(std::string_view name);

// The rules in a file's text; `origin` (the file's name) starts the
// message of the first bad line: "FILE:LINE: ...". '#' starts a comment.
std::optional<std::vector<SuppressRule>> parse_suppress_rules(std::string_view text, const std::string& origin,
                                                              std::string& err);

bool suppressed(const Finding& f, const std::vector<SuppressRule>& rules);

// Leaves out the findings of `ignore`'s kinds and those a rule accepts.
void drop_accepted(Audit& a, const std::unordered_set<std::string>& ignore, const std::vector<SuppressRule>& rules);

// Of `scope`, the processes whose command matches (-c).
std::vector<pid_t> command_matches(const std::vector<pid_t>& scope, const Snapshot& snap, const std::regex& command);

// Whether a finding at or above `level` remains (--fail-on).
bool fails_at(const Audit& a, Severity level);

}  // namespace fdscope::report
