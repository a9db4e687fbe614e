// BPF_PROG_QUERY through the raw bpf(2) syscall: how many programs of an
// attach type sit on a cgroup (device, bind, connect hooks). The raw call,
// not libbpf's bpf_prog_query: sys/ links libc only, and this one command
// is all that is needed.
#pragma once
#include <cstdint>

namespace fdscope::sys {

// Programs of `attach_type` (enum bpf_attach_type) attached to the cgroup
// open at `cgroup_fd` (effective: inherited from ancestors too, when
// `effective`). Returns 0 or an errno (EPERM without CAP_SYS_ADMIN,
// EINVAL for a cgroup v1 directory).
int cgroup_prog_count(int cgroup_fd, std::uint32_t attach_type, bool effective, std::uint32_t& count);

}  // namespace fdscope::sys
