#include "report/why/with_probe.hpp"

#include <fmt/format.h>

#include <cstring>

#include "report/why/operation_text.hpp"

namespace fdscope::report::why {
namespace {

// A seccomp KILL or TRAP ends the process: the check says so with errno 0.
bool predicts_a_kill(const Verdict& v) {
    return v.outcome != Outcome::Allowed && !v.blocking.empty() && v.checks[v.blocking.front()].layer == Layer::Seccomp &&
           v.checks[v.blocking.front()].error == 0;
}

// The verdict the probe can be compared with: failures of the final name
// are left out when the probe did not use that name.
Verdict comparable(const Verdict& v, const Tried& tried) {
    if (tried.stand_in_for.empty()) return v;
    std::vector<Check> kept;
    for (const Check& c : v.checks) {
        const bool of_the_name = c.path == tried.stand_in_for &&
                                 (c.layer == Layer::Path || c.layer == Layer::Protected || c.layer == Layer::Sticky ||
                                  c.layer == Layer::Busy);
        if (!(c.result == Result::Fail && of_the_name)) kept.push_back(c);
    }
    Verdict out = verdict_from(std::move(kept), Facts{});
    if (v.outcome == Outcome::Unknown && out.outcome == Outcome::Allowed) out.outcome = Outcome::Unknown;
    return out;
}

std::string signal_text(int sig) {
    const char* abbrev = sigabbrev_np(sig);
    return abbrev ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", sig);
}

}  // namespace

Verdict with_probe(Verdict verdict, const Tried& tried, const std::optional<Verdict>& as_probed) {
    const Verdict asked = comparable(as_probed ? *as_probed : verdict, tried);
    Tried t = tried;
    if (tried.signal != 0) {
        t.agrees = predicts_a_kill(asked);
        if (!t.agrees) {
            verdict.outcome = Outcome::Unknown;
            verdict.unknowns.push_back(fmt::format("the attempt was killed by {}, which fdscope did not predict",
                                                   signal_text(tried.signal)));
        } else if (verdict.outcome == Outcome::Unknown && predicts_a_kill(verdict)) {
            verdict.outcome = Outcome::Denied;
        }
        verdict.tried = t;
        return verdict;
    }
    if (asked.outcome == Outcome::Unknown) {
        // The kernel's answer settles what the static layers could not when
        // it names the failure they found, or when the subject itself asked
        // (every layer, unseen ones included, applied). A probe child that
        // succeeds proves nothing about a layer it cannot reproduce.
        t.agrees = tried.error == asked.error;
        if (tried.error != 0 && t.agrees) {
            if (verdict.outcome == Outcome::Unknown && verdict.error == tried.error && !verdict.blocking.empty())
                verdict.outcome = Outcome::Denied;
        } else if (tried.exact && tried.error == 0 && verdict.blocking.empty()) {
            verdict.outcome = Outcome::Allowed;
        } else if (tried.exact && tried.error != 0) {
            verdict.outcome = Outcome::Unknown;
            verdict.error = tried.error;
            verdict.unknowns.push_back(fmt::format("the process itself gets {}, from a layer fdscope cannot see",
                                                   errno_name(tried.error)));
        }
        verdict.tried = t;
        return verdict;
    }
    const bool predicted_ok = asked.outcome == Outcome::Allowed;
    t.agrees = predicted_ok ? tried.error == 0 : tried.error == asked.error;
    if (!t.agrees) {
        verdict.outcome = Outcome::Unknown;
        if (predicted_ok) {
            verdict.error = tried.error;
            verdict.unknowns.push_back(fmt::format(
                "static layers allow; the kernel says {}: a layer fdscope cannot see "
                "(Landlock, a BPF LSM, a FUSE daemon, an NFS server, IMA)",
                errno_name(tried.error)));
        } else if (tried.error == 0) {
            verdict.unknowns.push_back(fmt::format(
                "fdscope predicts {}, but the kernel allowed it: a fact was read wrong or changed since",
                errno_name(asked.error)));
        } else {
            verdict.unknowns.push_back(
                fmt::format("fdscope predicts {}, the kernel says {}", errno_name(asked.error), errno_name(tried.error)));
        }
    }
    verdict.tried = t;
    return verdict;
}

}  // namespace fdscope::report::why
