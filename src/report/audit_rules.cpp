#include "report/audit_rules.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fnmatch.h>
#include <sstream>

namespace fdscope::report {

bool is_finding_kind(std::string_view name) {
    return std::find(std::begin(kFindingKinds), std::end(kFindingKinds), name) != std::end(kFindingKinds);
}

std::optional<std::vector<SuppressRule>> parse_suppress_rules(std::string_view text, const std::string& origin,
                                                              std::string& err) {
    std::vector<SuppressRule> rules;
    std::istringstream in{std::string(text)};
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        std::istringstream words(line);
        SuppressRule r;
        if (!(words >> r.kind)) continue;
        if (!(words >> r.command)) {
            err = fmt::format("{}:{}: a rule is KIND COMMAND [PATTERN]", origin, n);
            return std::nullopt;
        }
        words >> r.pattern;
        if (!is_finding_kind(r.kind)) {
            err = fmt::format("{}:{}: unknown kind {}", origin, n, r.kind);
            return std::nullopt;
        }
        rules.push_back(std::move(r));
    }
    return rules;
}

bool suppressed(const Finding& f, const std::vector<SuppressRule>& rules) {
    for (const SuppressRule& r : rules) {
        if (r.kind != f.kind) continue;
        if (fnmatch(r.command.c_str(), f.command.c_str(), 0) != 0) continue;
        if (r.pattern.empty()) return true;
        if (r.pattern.front() == ':') {
            if (f.port && r.pattern.substr(1) == std::to_string(f.port)) return true;
            continue;
        }
        if (fnmatch(r.pattern.c_str(), f.name.c_str(), 0) == 0) return true;
    }
    return false;
}

void drop_accepted(Audit& a, const std::unordered_set<std::string>& ignore, const std::vector<SuppressRule>& rules) {
    std::erase_if(a.findings, [&](const Finding& f) { return ignore.count(f.kind) || suppressed(f, rules); });
}

std::vector<pid_t> command_matches(const std::vector<pid_t>& scope, const Snapshot& snap, const std::regex& command) {
    const std::unordered_set<pid_t> in(scope.begin(), scope.end());
    std::vector<pid_t> kept;
    for (const auto& p : snap.processes)
        if (in.count(p.pid) && std::regex_search(p.comm, command)) kept.push_back(p.pid);
    return kept;
}

bool fails_at(const Audit& a, Severity level) {
    return std::any_of(a.findings.begin(), a.findings.end(), [&](const Finding& f) { return f.severity >= level; });
}

}  // namespace fdscope::report
