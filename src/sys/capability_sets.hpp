// The calling thread's capability sets, read and set whole through the
// capget/capset syscalls (glibc has no wrapper; libcap would be a
// dependency for two calls). Masks of CAP_* bit numbers, as
// /proc/PID/status shows them.
#pragma once
#include <cstdint>

namespace fdscope::sys {

struct CapabilitySets {
    std::uint64_t effective = 0, permitted = 0, inheritable = 0;
};

// 0 or the errno.
int get_own_capabilities(CapabilitySets& out);
int set_own_capabilities(const CapabilitySets& sets);

}  // namespace fdscope::sys
