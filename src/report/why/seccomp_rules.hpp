// The seccomp layer: every syscall variant of the operation on each ABI the
// subject may use, run through its filters as the kernel would at syscall
// entry. Only the variant glibc issues decides the verdict; a refusal of
// another variant is a note (a program issuing it itself gets refused).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "report/why/check.hpp"
#include "report/why/syscall_variants.hpp"

namespace fdscope::report::why {

// What one variant meets: Pass, Fail (error may be 0 for a kill), Unknown.
struct VariantOutcome {
    Result result = Result::Pass;
    int error = 0;
    std::string action;          // "ERRNO(EPERM)", "KILL_PROCESS", "ALLOW"
    std::string where;           // "filter 0 of 2, 7 insns, pc 5"
    std::string consequence;     // "killed by SIGSYS", "decided by a supervisor", ""
    std::vector<Holder> holders; // USER_NOTIF: the supervisors
};

// Mode 2: the variant through `filters` (index 0 the oldest).
VariantOutcome filter_outcome(const std::vector<std::vector<sock_filter>>& filters, const SyscallVariant& variant,
                              const Facts& facts);
// Mode 1 (strict): read, write, exit and sigreturn only; anything else is SIGKILL.
VariantOutcome strict_outcome(const SyscallVariant& variant);

}  // namespace fdscope::report::why
