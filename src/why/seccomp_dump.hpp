// The subject's seccomp filters, read from outside (sys/seccomp_dump), and
// when they cannot be read the sentence the report prints instead.
#pragma once
#include <linux/filter.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "model/why_facts.hpp"
#include "sys/seccomp_dump.hpp"

namespace fdscope::why {

struct SeccompFacts {
    // Index 0 the oldest. An empty list: the thread has no filters (mode 0).
    std::optional<std::vector<std::vector<sock_filter>>> filters;
    std::string unreadable;  // when filters is unset: why
};

// Thread `tid` of process `pid` (tid == pid: the leader). Checks first what
// would make the read fail or stall (fdscope under seccomp, a tracer
// already attached, uninterruptible sleep, strict mode) and says so
// without touching the thread.
SeccompFacts read_seccomp(pid_t pid, pid_t tid);

// Fills subject.seccomp_filters, seccomp_unreadable and audit_arches for
// subject.pid / subject.tid (the leader when tid is 0). A subject that is
// not a process (a user, the caller) has no filters to read: only the arches.
void gather_seccomp(Subject& subject);

// Pure: the sentence for a dump that failed.
std::string dump_failure(pid_t tid, const sys::SeccompDump& dump);

}  // namespace fdscope::why
