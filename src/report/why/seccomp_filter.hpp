// What a process's seccomp filters decide for one syscall, evaluated in
// userspace: a classic-BPF interpreter with the kernel's seccomp rules
// (which instructions a filter may hold, what a load reads) and the way
// the kernel combines stacked filters. Pure: filters and a syscall in, the
// decision out; the filters themselves are read elsewhere (ptrace's
// PTRACE_SECCOMP_GET_FILTER).
//
// Written here rather than taken from libseccomp: libseccomp builds and
// loads filters but cannot run an already loaded one (its simulator is a
// tool, not a library call), and the semantics are fixed by the kernel
// (kernel/seccomp.c seccomp_check_filter, net/core/filter.c).
#pragma once
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace fdscope::report::why {

// One filter's verdict: the value its RET returned, or why the program is
// not one the kernel would have accepted (then nothing is claimed).
struct FilterRun {
    bool valid = false;
    std::uint32_t value = 0;   // SECCOMP_RET_* action | data
    std::size_t pc = 0;        // the RET instruction that decided
    std::string error;         // when not valid
};

// Checks `prog` as seccomp_check_filter does (length 1..4096, known
// instructions only, loads of seccomp_data aligned and in range, scratch
// memory 0..15, jumps inside the program, no fall off the end) and runs
// it over `data`.
FilterRun run_filter(std::span<const sock_filter> prog, const seccomp_data& data);

// The decision of all filters of a thread, index 0 the oldest: every
// filter runs and the lowest action wins (KILL_PROCESS < KILL_THREAD <
// TRAP < ERRNO < USER_NOTIF < TRACE < LOG < ALLOW, compared as the kernel
// does, signed); on a tie the newest filter's value stands.
struct Decision {
    bool valid = false;        // false: a filter could not be evaluated
    std::uint32_t value = SECCOMP_RET_ALLOW;
    std::optional<std::size_t> filter;  // which filter decided (0 the oldest); none: all allowed
    std::size_t pc = 0;                 // and which of its instructions
    std::string error;
};
Decision decide(const std::vector<std::vector<sock_filter>>& filters, const seccomp_data& data);

// "ALLOW", "ERRNO(13)", "KILL_PROCESS", "TRACE(7)", ...: how a person
// reads a seccomp return value. An unknown action kills the process, as
// the kernel treats it, and says which value it was.
std::string action_text(std::uint32_t value);

// Whether the syscall goes ahead (ALLOW, LOG; TRACE and USER_NOTIF depend
// on a tracer or supervisor and count as not decided here).
bool allows(std::uint32_t value);

}  // namespace fdscope::report::why
