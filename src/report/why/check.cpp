#include "report/why/check.hpp"

#include <array>

namespace fdscope::report::why {

std::string_view layer_name(Layer layer) {
    static constexpr std::array<std::string_view, 18> kNames = {
        "path",   "search", "mode",    "acl",   "capability", "attribute",
        "mount",  "sticky", "protected", "lsm", "seccomp",    "space",
        "quota",  "limit",  "busy",    "cgroup", "filesystem", "fd",
    };
    return kNames.at(static_cast<std::size_t>(layer));
}

std::string_view result_name(Result result) {
    switch (result) {
    case Result::Pass: return "pass";
    case Result::Fail: return "fail";
    case Result::Skip: return "skip";
    case Result::Unknown: return "unknown";
    case Result::Note: return "note";
    }
    return "unknown";
}

std::string_view outcome_name(Outcome outcome) {
    switch (outcome) {
    case Outcome::Allowed: return "allowed";
    case Outcome::Denied: return "denied";
    case Outcome::Unknown: return "unknown";
    }
    return "unknown";
}

Verdict verdict_from(std::vector<Check> checks, const Facts& facts) {
    Verdict v;
    v.checks = std::move(checks);
    bool unknown_first = false;
    for (std::size_t i = 0; i < v.checks.size(); ++i) {
        const Check& c = v.checks[i];
        if (c.result == Result::Fail) {
            v.blocking.push_back(i);
        } else if (c.result == Result::Unknown) {
            // An unknown after the kernel's first failure changes nothing:
            // the syscall never gets there.
            if (v.blocking.empty()) unknown_first = true;
            v.unknowns.push_back(c.explain.empty() ? c.detail : c.explain);
        }
    }
    for (const auto& u : facts.unreadable) v.unknowns.push_back(u);
    if (!v.blocking.empty() && !unknown_first) {
        v.outcome = Outcome::Denied;
        v.error = v.checks[v.blocking.front()].error;
    } else if (unknown_first || !facts.unreadable.empty()) {
        v.outcome = Outcome::Unknown;
        if (!v.blocking.empty()) v.error = v.checks[v.blocking.front()].error;
    } else {
        v.outcome = Outcome::Allowed;
    }
    return v;
}

}  // namespace fdscope::report::why
