// What the unwinder and the module map need to know of one ELF file,
// read once per file: its build-id, and whether its code keeps frame
// pointers (so a frame-pointer walk may go through its frames).
#pragma once
#include <cstdint>
#include <gelf.h>
#include <span>

#include "model/stack.hpp"

namespace fdscope::trace {

struct ElfFacts {
    BuildId build_id;
    // No ELF flag says so: judged from the functions' prologues (see
    // keeps_frame_pointers). True when the file could not be read, so the
    // walk is not refused for lack of facts.
    bool has_frame_pointers = true;
};

// The facts of the ELF open at `fd` (any offset; read with pread).
ElfFacts read_elf_facts(int fd);

// A function starts with the frame-pointer prologue: [endbr64] push %rbp;
// mov %rsp,%rbp, as GCC and clang emit it under -fno-omit-frame-pointer.
bool has_frame_pointer_prologue(std::span<const std::uint8_t> code);

// Whether most sampled functions of the ELF set up a frame pointer: code
// built with -fomit-frame-pointer (GCC's default at -O1 and above on
// x86-64, and how Debian 12 builds glibc) has almost none, code built
// with -fno-omit-frame-pointer has it in (nearly) every function.
bool keeps_frame_pointers(Elf* elf);

}  // namespace fdscope::trace
