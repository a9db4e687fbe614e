// CFI rules (cfi_rules.hpp) for every syscall site of an ELF file, keyed by
// what ASLR leaves in place: the site's offset in its page and the code
// bytes before it. Loaded into the BPF program before anything is traced,
// for the C library and the dynamic loader fdscope maps itself, they let a
// wrapper's very first call in a process walk past the wrapper; the rules
// learnt per process (by pc) stay for every other module.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "trace/bpf/cfi_rules.hpp"

namespace fdscope::trace {

struct CfiSignature {
    std::uint32_t page_off = 0;            // the pc after `syscall`, modulo 4096
    std::array<std::uint8_t, 16> code{};   // the 16 bytes before that pc
    CfiRule rule;
    bool operator==(const CfiSignature&) const = default;
};

// Every `syscall` (0f 05) in `code`, an executable segment loaded at
// `vaddr`, whose pc has a rule in `cfi`. Bytes 0f 05 inside another
// instruction give an entry no real pc matches: harmless.
std::vector<CfiSignature> syscall_signatures(std::span<const std::uint8_t> code, std::uint64_t vaddr, Dwarf_CFI* cfi);
// Keys two sites share with different rules are dropped (no rule beats a
// wrong one); duplicates with the same rule are kept once.
std::vector<CfiSignature> unambiguous(std::vector<CfiSignature> sigs);
// The signatures of the ELF file at `path` (its executable PT_LOAD segments).
std::vector<CfiSignature> file_signatures(const std::string& path);
// The C library and dynamic loader this process maps (from /proc/self/maps).
std::vector<std::string> own_c_library_files();

}  // namespace fdscope::trace
