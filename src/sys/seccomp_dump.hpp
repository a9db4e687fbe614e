// A thread's seccomp filters, read through ptrace: PTRACE_SEIZE, then
// PTRACE_INTERRUPT for a ptrace-stop (the one state in which the kernel
// hands out filters), PTRACE_SECCOMP_GET_FILTER per index, PTRACE_DETACH.
//
// The stop is invisible to the target: a blocking syscall it was in is
// restarted by the kernel (the interrupt's -ERESTARTSYS with no signal to
// deliver), and a signal that arrived while we held it (a
// signal-delivery-stop seen instead of our interrupt) is handed back on
// detach, so it is delivered as if we had never been there.
//
// Kernel rules (kernel/seccomp.c seccomp_get_filter): the caller needs
// CAP_SYS_ADMIN and must not itself run under seccomp (EACCES), the target
// must be in filter mode (EINVAL otherwise), and a target that already has a
// tracer cannot be seized (EPERM).
#pragma once
#include <linux/filter.h>
#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace fdscope::sys {

struct SeccompDump {
    enum class Step { Done, Seize, Interrupt, Wait, GetFilter, Detach };
    Step failed = Step::Done;  // the step that failed; Done: filters are complete
    int err = 0;               // its errno (ESRCH: the thread exited meanwhile)
    // Index 0 the oldest filter (the kernel's get_nth_filter order).
    std::vector<std::vector<sock_filter>> filters;
};

// Reads every filter of thread `tid` (any thread of any process). Blocks
// until the thread reaches the stop: a thread in uninterruptible sleep
// delays the answer until it wakes.
SeccompDump dump_seccomp_filters(pid_t tid);

// "PTRACE_SEIZE", "PTRACE_SECCOMP_GET_FILTER", ...: the step as a person
// reading a failure wants it named.
const char* step_name(SeccompDump::Step step);

// AUDIT_ARCH_* values a process on this machine can issue syscalls as, a
// fact of the machine and not of any filter: on x86_64 native syscalls
// (AUDIT_ARCH_X86_64; x32 ones carry the same arch with __X32_SYSCALL_BIT
// in the number) and i386 ones through int 0x80 (AUDIT_ARCH_I386).
std::vector<std::uint32_t> machine_audit_arches();

}  // namespace fdscope::sys
