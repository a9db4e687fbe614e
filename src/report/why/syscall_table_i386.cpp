#include <asm/unistd_32.h>

#include "report/why/syscall_tables.hpp"

namespace fdscope::report::why {

std::span<const NamedSyscall> syscalls_i386() {
#define FDSCOPE_SYSCALL(name) NamedSyscall{#name, __NR_##name},
    static constexpr NamedSyscall kTable[] = {
#include "report/why/syscall_list.inc"
        NamedSyscall{"socketcall", __NR_socketcall},
    };
#undef FDSCOPE_SYSCALL
    return kTable;
}

}  // namespace fdscope::report::why
