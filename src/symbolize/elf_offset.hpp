// File offsets and ELF virtual addresses, through the PT_LOAD segments:
// raw frames name code by file offset (what BPF and /proc/PID/maps give),
// symbol and line tables by virtual address.
#pragma once
#include <cstdint>
#include <gelf.h>
#include <optional>

namespace fdscope::symbolize {

// The virtual address the byte at `offset` of the file is loaded at.
std::optional<std::uint64_t> vaddr_of_offset(Elf* elf, std::uint64_t offset);
// The file offset of the loaded byte at virtual address `vaddr`.
std::optional<std::uint64_t> offset_of_vaddr(Elf* elf, std::uint64_t vaddr);

}  // namespace fdscope::symbolize
