// vfork(2) for the preload library, after bionic's
// libc/arch-x86_64/bionic/vfork.S. A vfork child shares the parent's memory
// (so its table and the thread's TLS) but not its fd table: every hook must
// skip recording there, or a child's close/dup2 before exec would rewrite
// the parent's table. The wrapper sets t_state.vforked before the system
// call and clears it in the parent; the child keeps it set until it execs
// or exits.
//
// It must be assembly: the child runs on the parent's stack, so the
// wrapper's return address is popped into a register before the syscall
// (the child's own return and calls overwrite that stack slot) and pushed
// back after it, in the child and again in the parent. Written in C, the
// compiler would keep it in the shared frame.
#include <cerrno>

#include "preload/runtime.hpp"

extern "C" {

// The error path (only the parent gets there: there is no child).
__attribute__((used)) long fdscope_vfork_failed(long ret) {
    fdscope::preload::t_state.vforked = 0;
    errno = static_cast<int>(-ret);
    return -1;
}

}  // extern "C"

// t_state is initial-exec TLS: its offset from %fs comes from the GOT
// (R_X86_64_GOTTPOFF). ThreadState::vforked is at byte offset 4.
static_assert(__builtin_offsetof(fdscope::preload::ThreadState, vforked) == 4);
__asm__(
    ".text\n"
    ".globl vfork\n"
    ".type vfork, @function\n"
    "vfork:\n"
    "    .cfi_startproc\n"
    "    popq %rdi\n"                                          // the return address, out of the shared stack
    "    .cfi_adjust_cfa_offset -8\n"
    "    .cfi_register %rip, %rdi\n"
    "    movq _ZN7fdscope7preload7t_stateE@gottpoff(%rip), %rcx\n"
    "    movl $1, %fs:4(%rcx)\n"                               // t_state.vforked = 1
    "    movl $58, %eax\n"                                     // __NR_vfork
    "    syscall\n"
    "    pushq %rdi\n"
    "    .cfi_adjust_cfa_offset 8\n"
    "    .cfi_rel_offset %rip, 0\n"
    "    testl %eax, %eax\n"
    "    jz 1f\n"                                              // the child: 0, still vforked
    "    cmpq $-4095, %rax\n"
    "    jae 2f\n"
    "    movq _ZN7fdscope7preload7t_stateE@gottpoff(%rip), %rcx\n"
    "    movl $0, %fs:4(%rcx)\n"                               // the parent, resumed
    "1:  ret\n"
    "2:  movq %rax, %rdi\n"
    "    jmp fdscope_vfork_failed\n"
    "    .cfi_endproc\n"
    ".size vfork, .-vfork\n");
