#include "report/why/with_probe.hpp"

#include <fmt/format.h>

#include "report/why/operation_text.hpp"

namespace fdscope::report::why {

Verdict with_probe(Verdict verdict, const Tried& tried) {
    Tried t = tried;
    const bool predicted_ok = verdict.outcome == Outcome::Allowed;
    if (verdict.outcome == Outcome::Unknown) {
        // The kernel's answer settles what the static layers could not when
        // it names the failure they found, or when the subject itself asked
        // (every layer, unseen ones included, applied). A probe child that
        // succeeds proves nothing about a layer it cannot reproduce.
        t.agrees = tried.error == verdict.error;
        if (tried.error != 0 && t.agrees) verdict.outcome = Outcome::Denied;
        else if (tried.exact && tried.error == 0 && verdict.blocking.empty()) verdict.outcome = Outcome::Allowed;
        else if (tried.exact && tried.error != 0) {
            verdict.error = tried.error;
            verdict.unknowns.push_back(fmt::format(
                "the process itself gets {}, from a layer fdscope cannot see", errno_name(tried.error)));
        }
        verdict.tried = t;
        return verdict;
    }
    t.agrees = predicted_ok ? tried.error == 0 : tried.error == verdict.error;
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
                errno_name(verdict.error)));
        } else {
            verdict.unknowns.push_back(fmt::format("fdscope predicts {}, the kernel says {}",
                                                   errno_name(verdict.error), errno_name(tried.error)));
        }
    }
    verdict.tried = t;
    return verdict;
}

}  // namespace fdscope::report::why
