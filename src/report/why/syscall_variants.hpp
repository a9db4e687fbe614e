// Every syscall a program may issue for an operation, per x86 ABI, with
// the arguments a seccomp filter can see. Filters see registers only:
// flags, modes, fds and AT_* values are real here, pointers (paths,
// buffers, struct addresses) are 0.
//
// glibc 2.36 issues mkdir, rmdir, unlink, rename, link, symlink and creat
// by their legacy numbers and openat for open() (strace on the VM), so a
// filter on mkdirat alone does not stop mkdir(); a program may still
// issue any other variant itself (Go's runtime uses the *at calls).
#pragma once
#include <linux/seccomp.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/why_facts.hpp"

namespace fdscope::report::why {

// The three x86 syscall ABIs a 64-bit kernel accepts. x32 reports
// AUDIT_ARCH_X86_64 with __X32_SYSCALL_BIT in the number.
enum class Abi { X86_64, X32, I386 };
std::string_view abi_name(Abi abi);
std::uint32_t audit_arch(Abi abi);

// The number a filter sees for `name` on `abi` (x32: with the bit);
// none when that ABI has no such syscall.
std::optional<std::uint32_t> syscall_number(Abi abi, std::string_view name);

// The ABIs to evaluate for a subject, its own first: AUDIT_ARCH_X86_64
// covers x86_64 and x32, AUDIT_ARCH_I386 i386; none known: all three,
// x86_64 native. Unknown arches are left out.
std::vector<Abi> subject_abis(const fdscope::why::Subject& subject);

struct SyscallVariant {
    std::string name;            // "openat", "socketcall(SYS_BIND)"
    Abi abi = Abi::X86_64;
    std::uint32_t nr = 0;
    std::array<std::uint64_t, 6> args{};
    bool primary = false;        // what glibc issues for the libc call, on the subject's own ABI
    std::string call;            // that libc call: "mkdir()"
};

// The variants of `op` on each of `abis`; abis.front() is the subject's
// own ABI, the only one whose glibc variant is primary.
std::vector<SyscallVariant> syscall_variants(const fdscope::why::Operation& op, std::span<const Abi> abis);

// The open(2) flags of OpenFlags, as the program passes them.
int open_flags(const fdscope::why::OpenFlags& flags);

seccomp_data to_seccomp_data(const SyscallVariant& variant);

}  // namespace fdscope::report::why
