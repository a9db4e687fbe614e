#include "report/why/seccomp_rules.hpp"

#include <algorithm>
#include <cerrno>
#include <fmt/format.h>

#include "report/why/layers.hpp"
#include "report/why/process_text.hpp"
#include "report/why/seccomp_filter.hpp"

namespace fdscope::report::why {
namespace {

// The kernel caps ERRNO data at MAX_ERRNO.
constexpr std::uint32_t kMaxErrno = 4095;

std::string action_words(std::uint32_t value) {
    if ((value & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
        return fmt::format("ERRNO({})", errno_name(static_cast<int>(std::min(value & SECCOMP_RET_DATA, kMaxErrno))));
    return action_text(value);
}

// The variants of one syscall name, the subject's ABI first.
struct Group {
    std::string name;
    std::vector<std::pair<const SyscallVariant*, VariantOutcome>> runs;
    const std::pair<const SyscallVariant*, VariantOutcome>* primary() const {
        for (const auto& r : runs)
            if (r.first->primary) return &r;
        return nullptr;
    }
};

std::string run_text(const SyscallVariant& v, const VariantOutcome& o) {
    // x32 numbers read as the bit plus the x86_64-like offset.
    std::string s = v.abi == Abi::X32 ? fmt::format("x32 nr {:#x}: {}", v.nr, o.action)
                                      : fmt::format("{} nr {}: {}", abi_name(v.abi), v.nr, o.action);
    if (!o.where.empty()) s += " (" + o.where + ")";
    return s;
}

std::string refusal(const VariantOutcome& o) {
    std::string s = o.action;
    if (!o.consequence.empty()) s += ", " + o.consequence;
    return s;
}

// "mkdir() is refused (ERRNO(EPERM)); mkdirat() is allowed", over the
// subject's own ABI.
std::string summary(const std::vector<Group>& groups) {
    std::string out;
    for (const Group& g : groups) {
        const auto& first = g.runs.front();
        if (first.first->abi != groups.front().runs.front().first->abi) continue;
        if (!out.empty()) out += "; ";
        if (first.second.result == Result::Pass) out += g.name + "() is allowed";
        else if (first.second.result == Result::Unknown) out += fmt::format("{}() is {}", g.name, refusal(first.second));
        else out += fmt::format("{}() is refused ({})", g.name, refusal(first.second));
    }
    return out;
}

std::string fix_text(const Facts& facts, const std::string& name) {
    const std::string unit = unit_of(facts.subject.cgroup);
    if (!unit.empty())
        return fmt::format("allow {} in {}'s SystemCallFilter= (systemctl show -p SystemCallFilter {}) or in "
                           "whatever else installed the filter",
                           name, unit, unit);
    return fmt::format("allow {} where the filter comes from: the container runtime's seccomp profile, the "
                       "service manager's SystemCallFilter=, or the program that installed it",
                       name);
}

Check group_check(const Group& g, Abi native, const std::string& all, const Facts& facts) {
    Check c;
    c.layer = Layer::Seccomp;
    c.path = g.name;
    for (const auto& [v, o] : g.runs) {
        if (!c.detail.empty()) c.detail += "; ";
        c.detail += run_text(*v, o);
    }
    if (const auto* p = g.primary()) {
        const VariantOutcome& o = p->second;
        c.result = o.result;
        c.error = o.error;
        c.holders = o.holders;
        if (o.result == Result::Fail) {
            c.explain = fmt::format("glibc's {} issues {}, which the seccomp filter refuses: {}", p->first->call, g.name,
                                    all);
            c.fix = fix_text(facts, g.name);
        } else if (o.result == Result::Unknown) {
            c.explain = fmt::format("glibc's {} issues {}: {}", p->first->call, g.name, all);
        }
        return c;
    }
    // Not what glibc issues: a refusal on the subject's own ABI is worth
    // knowing, not the verdict. Other ABIs' refusals stay in the detail:
    // nearly every filter kills foreign architectures.
    const auto bad = std::find_if(g.runs.begin(), g.runs.end(), [&](const auto& r) {
        return r.first->abi == native && r.second.result != Result::Pass;
    });
    if (bad == g.runs.end()) return c;
    c.result = Result::Note;
    c.error = bad->second.error;
    c.holders = bad->second.holders;
    c.explain = fmt::format("{} is {}; glibc does not issue it for this operation, but a program that does (Go's "
                            "runtime, a raw syscall) meets it: {}",
                            g.name, refusal(bad->second), all);
    return c;
}

std::vector<Group> grouped_by_name(const std::vector<SyscallVariant>& variants,
                                   const std::vector<VariantOutcome>& outcomes) {
    std::vector<Group> groups;
    for (std::size_t i = 0; i < variants.size(); ++i) {
        auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.name == variants[i].name; });
        if (it == groups.end()) {
            groups.push_back(Group{variants[i].name, {}});
            it = groups.end() - 1;
        }
        it->runs.emplace_back(&variants[i], outcomes[i]);
    }
    return groups;
}

Check process_check(Result result, std::string detail, std::string explain = {}) {
    Check c;
    c.layer = Layer::Seccomp;
    c.result = result;
    c.detail = std::move(detail);
    c.explain = std::move(explain);
    return c;
}

}  // namespace

VariantOutcome filter_outcome(const std::vector<std::vector<sock_filter>>& filters, const SyscallVariant& variant,
                              const Facts& facts) {
    VariantOutcome o;
    const Decision d = decide(filters, to_seccomp_data(variant));
    if (!d.valid) {
        o.result = Result::Unknown;
        o.action = "not evaluated";
        o.consequence = d.error;
        return o;
    }
    o.action = action_words(d.value);
    if (d.filter)
        o.where = fmt::format("filter {} of {}, {} insns, pc {}", *d.filter, filters.size(),
                              filters[*d.filter].size(), d.pc);
    else
        o.where = fmt::format("{} {}", filters.size(), filters.size() == 1 ? "filter" : "filters");
    const std::uint32_t data = d.value & SECCOMP_RET_DATA;
    switch (d.value & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_ALLOW:
    case SECCOMP_RET_LOG:
        o.result = Result::Pass;
        break;
    case SECCOMP_RET_ERRNO:
        o.result = Result::Fail;
        o.error = static_cast<int>(std::min(data, kMaxErrno));
        break;
    case SECCOMP_RET_TRAP:
        o.result = Result::Fail;
        o.consequence = "SIGSYS to the program's handler (without one the process dies)";
        break;
    case SECCOMP_RET_USER_NOTIF:
        o.result = Result::Unknown;
        o.holders = facts.lsm.seccomp_supervisors;
        o.consequence = o.holders.empty()
                            ? "decided by a supervisor, none found (without one listening the kernel returns ENOSYS)"
                            : "decided by a supervisor: " + holders_text(o.holders);
        break;
    case SECCOMP_RET_TRACE:
        if (facts.subject.tracer_pid > 0) {
            o.result = Result::Unknown;
            o.consequence = fmt::format("decided by its tracer, pid {}", facts.subject.tracer_pid);
        } else {
            o.result = Result::Fail;
            o.error = ENOSYS;
            o.consequence = "no tracer attached: ENOSYS";
        }
        break;
    default:  // KILL_PROCESS, KILL_THREAD and unknown actions
        o.result = Result::Fail;
        o.consequence = "killed by SIGSYS";
        break;
    }
    return o;
}

VariantOutcome strict_outcome(const SyscallVariant& variant) {
    VariantOutcome o;
    o.where = "strict mode";
    if (variant.name == "read" || variant.name == "write") {
        o.action = "ALLOW";
        return o;
    }
    o.result = Result::Fail;
    o.action = "KILL";
    o.consequence = "killed by SIGKILL (strict mode allows read, write, exit and sigreturn only)";
    return o;
}

namespace {

std::vector<Check> thread_checks(const Facts& facts) {
    const auto& s = facts.subject;
    if (s.seccomp_mode == 0) return {process_check(Result::Pass, "no seccomp filter (Seccomp: 0)")};
    if (s.seccomp_mode == 2 && !s.seccomp_filters) {
        return {process_check(Result::Unknown, fmt::format("{} seccomp filters, not read", s.seccomp_filter_count),
                              "its seccomp filters could not be read: " +
                                  (s.seccomp_unreadable.empty() ? std::string("no reason given")
                                                                : s.seccomp_unreadable))};
    }
    if (s.seccomp_mode != 1 && s.seccomp_mode != 2)
        return {process_check(Result::Unknown, fmt::format("Seccomp: {}", s.seccomp_mode),
                              fmt::format("seccomp mode {} is not one fdscope knows", s.seccomp_mode))};

    const std::vector<Abi> abis = subject_abis(s);
    const std::vector<SyscallVariant> variants = syscall_variants(facts.operation, abis);
    std::vector<VariantOutcome> outcomes;
    outcomes.reserve(variants.size());
    for (const auto& v : variants)
        outcomes.push_back(s.seccomp_mode == 1 ? strict_outcome(v) : filter_outcome(*s.seccomp_filters, v, facts));

    const std::vector<Group> groups = grouped_by_name(variants, outcomes);
    if (groups.empty()) return {};
    const std::string all = summary(groups);
    std::vector<Check> checks;
    for (const Group& g : groups) checks.push_back(group_check(g, abis.front(), all, facts));
    return checks;
}

}  // namespace

std::vector<Check> seccomp_checks(const Facts& facts) {
    std::vector<Check> checks = thread_checks(facts);
    // Filters are per thread (installed without TSYNC, they stay in one).
    const auto& s = facts.subject;
    if (s.threads_differ)
        checks.push_back(process_check(Result::Note, fmt::format("these are thread {}'s filters", s.tid),
                                       fmt::format("threads of pid {} differ in credentials or filters: another "
                                                   "thread may be judged differently (--as-thread TID)",
                                                   s.pid)));
    return checks;
}

}  // namespace fdscope::report::why
