// Syscall numbers per x86 ABI, each table compiled over its own
// <asm/unistd_*.h> in its own file: the three headers define the same
// __NR_ names with different values and cannot meet in one translation
// unit. Used by syscall_variants only.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace fdscope::report::why {

struct NamedSyscall {
    std::string_view name;
    std::uint32_t nr;
};

std::span<const NamedSyscall> syscalls_x86_64();
// x32: the offsets of <asm/unistd_x32.h>; the number a filter sees is the
// offset | x32_syscall_bit().
std::span<const NamedSyscall> syscalls_x32_offsets();
std::uint32_t x32_syscall_bit();
// i386, socketcall included (glibc's i386 socket calls go through it).
std::span<const NamedSyscall> syscalls_i386();

}  // namespace fdscope::report::why
