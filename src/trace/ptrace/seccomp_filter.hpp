// The launched tree's seccomp filter: SECCOMP_RET_TRACE for the fd
// syscalls (a ptrace stop), SECCOMP_RET_ALLOW for everything else (no stop
// at all), as strace --seccomp-bpf does. Built with libseccomp in the
// tracer, before fork; the child only loads the finished program, which is
// one syscall and safe between fork and exec.
#pragma once
#include <linux/filter.h>

#include <span>
#include <string>
#include <vector>

namespace fdscope::trace::ptrace {

struct FilterProgram {
    std::vector<sock_filter> program;  // empty when it could not be built
    std::string error;                 // why not
};

// RET_TRACE for `nrs` (x86_64 numbers); syscalls of another ABI (int 0x80,
// x32) are traced too, all of them, so that nothing escapes a 32-bit
// binary: the engine decodes them by their own ABI.
FilterProgram build_trace_filter(std::span<const long> nrs);

// In the child: loads `program` on the calling thread, first without
// no_new_privs (a setuid program keeps its privileges when we may), and with
// it when the kernel asks for it (EACCES: no CAP_SYS_ADMIN). 0 or the errno.
// Async-signal-safe.
int install_trace_filter(std::span<const sock_filter> program);

}  // namespace fdscope::trace::ptrace
