// <asm/unistd_x32.h> writes each number as (__X32_SYSCALL_BIT + offset);
// the bit itself lives in <asm/unistd.h>, which would pull in the x86_64
// numbers under the same names. Expanded with the bit as 0, the header
// gives the offsets; syscall_variants adds the bit.
#define __X32_SYSCALL_BIT 0
#include <asm/unistd_x32.h>

#include "report/why/syscall_tables.hpp"

namespace fdscope::report::why {

std::span<const NamedSyscall> syscalls_x32_offsets() {
#define FDSCOPE_SYSCALL(name) NamedSyscall{#name, __NR_##name},
    static constexpr NamedSyscall kTable[] = {
#include "report/why/syscall_list.inc"
    };
#undef FDSCOPE_SYSCALL
    return kTable;
}

}  // namespace fdscope::report::why
