// Loads a classic-BPF seccomp filter on the calling thread, as a service
// manager or a runtime does (seccomp(SECCOMP_SET_MODE_FILTER), no flags:
// no listener, no thread sync). The caller must have no_new_privs or
// CAP_SYS_ADMIN, as the kernel requires.
#pragma once
#include <linux/filter.h>

#include <span>

namespace fdscope::sys {

// 0 or the errno (EINVAL: a program the kernel refuses; EACCES: neither
// no_new_privs nor CAP_SYS_ADMIN).
int load_seccomp_filter(std::span<const sock_filter> program);

// seccomp strict mode: only read, write, _exit and sigreturn from now on.
int enter_seccomp_strict();

}  // namespace fdscope::sys
