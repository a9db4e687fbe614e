// Classic-BPF seccomp filters built by hand for the tests.
#pragma once
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fdscope::report::why::testing {

inline sock_filter stmt(std::uint16_t code, std::uint32_t k) { return BPF_STMT(code, k); }
inline sock_filter jump(std::uint16_t code, std::uint32_t k, std::uint8_t jt, std::uint8_t jf) {
    return BPF_JUMP(code, k, jt, jf);
}

// `other_arch` for any architecture but `arch`; on `arch`, `action` for
// syscall `nr` and ALLOW for the rest. Decides at pc 2, 5 or 6.
inline std::vector<sock_filter> deny_on(std::uint32_t arch, long nr, std::uint32_t action, std::uint32_t other_arch) {
    return {
        stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        jump(BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0),
        stmt(BPF_RET | BPF_K, other_arch),
        stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(nr), 0, 1),
        stmt(BPF_RET | BPF_K, action),
        stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
}

// `action` when syscall `nr` has any of `flags` set in argument `arg`
// (the low word), ALLOW otherwise.
inline std::vector<sock_filter> deny_flags(long nr, std::size_t arg, std::uint32_t flags, std::uint32_t action) {
    return {
        stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(nr), 0, 3),
        stmt(BPF_LD | BPF_W | BPF_ABS, static_cast<std::uint32_t>(offsetof(seccomp_data, args) + 8 * arg)),
        jump(BPF_JMP | BPF_JSET | BPF_K, flags, 0, 1),
        stmt(BPF_RET | BPF_K, action),
        stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
}

}  // namespace fdscope::report::why::testing
