// <asm/unistd.h> on an x86_64 build: the x86_64 numbers and __X32_SYSCALL_BIT.
#include <asm/unistd.h>

#include "report/why/syscall_tables.hpp"

namespace fdscope::report::why {

std::span<const NamedSyscall> syscalls_x86_64() {
#define FDSCOPE_SYSCALL(name) NamedSyscall{#name, __NR_##name},
    static constexpr NamedSyscall kTable[] = {
#include "report/why/syscall_list.inc"
    };
#undef FDSCOPE_SYSCALL
    return kTable;
}

std::uint32_t x32_syscall_bit() { return __X32_SYSCALL_BIT; }

}  // namespace fdscope::report::why
