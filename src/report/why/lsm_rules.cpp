// The lsm layer. SELinux and AppArmor are judged by their adapters (their
// answers arrive in facts.lsm.answers); without an answer an active one
// makes the verdict unknown. Landlock (a process's own domain, invisible
// from outside), the BPF LSM and fanotify permission listeners cannot be
// evaluated at all: where one may apply the verdict says so instead of a
// confident "allowed".
#include <algorithm>
#include <cerrno>
#include <fmt/format.h>
#include <netinet/in.h>

#include "report/why/layers.hpp"
#include "report/why/process_text.hpp"

namespace fdscope::report::why {
namespace {

using fdscope::why::Op;

bool active(const Facts& facts, std::string_view lsm) {
    const auto& a = facts.lsm.active;
    return std::find(a.begin(), a.end(), lsm) != a.end();
}

std::string active_list(const Facts& facts) {
    std::string out;
    for (const auto& l : facts.lsm.active) out += (out.empty() ? "" : ",") + l;
    return out;
}

Check lsm_check(Result result, std::string path = {}) {
    Check c;
    c.layer = Layer::Lsm;
    c.result = result;
    c.path = std::move(path);
    return c;
}

std::string_view display(std::string_view lsm) { return lsm == "selinux" ? "SELinux" : "AppArmor"; }

Check adapter_check(const Facts& facts, std::string_view lsm) {
    const auto& answers = facts.lsm.answers;
    const auto it = std::find_if(answers.begin(), answers.end(), [&](const auto& a) { return a.lsm == lsm; });
    if (it == answers.end()) {
        Check c = lsm_check(Result::Unknown);
        c.detail = fmt::format("{} is active; no answer from its adapter", display(lsm));
        c.explain = fmt::format("{} is active and was not consulted: its policy may refuse this", display(lsm));
        return c;
    }
    Check c = lsm_check(Result::Pass);
    c.detail = fmt::format("{}: {}", display(lsm), it->detail);
    if (it->allowed) return c;
    if (it->permissive) {
        c.detail += " (denied, but permissive: logged, not enforced)";
        return c;
    }
    c.result = Result::Fail;
    c.error = it->error ? it->error : EACCES;
    c.explain = fmt::format("{} policy denies it: {}", display(lsm), it->detail);
    c.fix = it->fix;
    return c;
}

// Landlock restricts file access at open and the path operations, and TCP
// bind and connect (ABI 4); it has no hook on read or write of an open fd.
bool landlock_may_apply(const fdscope::why::Operation& op) {
    if (op.op == Op::Read || op.op == Op::Write) return false;
    if (op.op == Op::BindInet) return op.protocol != IPPROTO_UDP;
    return true;
}

// fanotify permission events: FAN_OPEN_PERM, FAN_OPEN_EXEC_PERM,
// FAN_ACCESS_PERM and the pre-content events on read and write.
bool fanotify_may_apply(Op op) { return op == Op::Open || op == Op::Exec || op == Op::Read || op == Op::Write; }

}  // namespace

std::vector<Check> lsm_checks(const Facts& facts) {
    if (facts.lsm.active.empty()) {
        Check c = lsm_check(Result::Unknown);
        c.detail = "the active LSMs were not read";
        c.explain = "which security modules are active (/sys/kernel/security/lsm) is not known";
        return {c};
    }
    std::vector<Check> checks;
    for (const std::string_view lsm : {"selinux", "apparmor"})
        if (active(facts, lsm)) checks.push_back(adapter_check(facts, lsm));
    const auto& s = facts.subject;
    if (active(facts, "landlock") && s.no_new_privs && landlock_may_apply(facts.operation)) {
        Check c = lsm_check(Result::Unknown);
        c.detail = fmt::format("landlock is active and {} has NoNewPrivs: 1", subject_text(s));
        c.explain = "Landlock may restrict this process; its domain cannot be read from outside";
        checks.push_back(c);
    }
    if (!facts.lsm.fanotify_permission.empty() && fanotify_may_apply(facts.operation.op)) {
        Check c = lsm_check(Result::Unknown);
        c.holders = facts.lsm.fanotify_permission;
        c.detail = "fanotify permission listeners: " + holders_text(c.holders);
        c.explain = fmt::format("{} decides opens through fanotify permission events (an EPERM would come from it)",
                                holders_text(c.holders));
        checks.push_back(c);
    }
    if (checks.empty()) {
        Check c = lsm_check(Result::Pass);
        c.detail = fmt::format("no LSM that mediates files applies: {}", active_list(facts));
        if (active(facts, "landlock"))
            c.detail += s.no_new_privs ? "; Landlock has no hook on this operation"
                                       : "; a Landlock domain needs NoNewPrivs, which is off";
        if (active(facts, "bpf")) c.detail += "; no BPF LSM program known";
        checks.push_back(c);
    }
    return checks;
}

}  // namespace fdscope::report::why
