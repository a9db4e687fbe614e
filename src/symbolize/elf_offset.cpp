#include "symbolize/elf_offset.hpp"

#include <cstddef>

namespace fdscope::symbolize {
namespace {

// Calls fn on every PT_LOAD header until it returns a value.
template <typename Fn>
std::optional<std::uint64_t> find_in_loads(Elf* elf, Fn fn) {
    std::size_t count = 0;
    if (!elf || elf_getphdrnum(elf, &count) != 0) return std::nullopt;
    for (std::size_t i = 0; i < count; ++i) {
        GElf_Phdr phdr;
        if (!gelf_getphdr(elf, static_cast<int>(i), &phdr) || phdr.p_type != PT_LOAD) continue;
        if (auto hit = fn(phdr)) return hit;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> vaddr_of_offset(Elf* elf, std::uint64_t offset) {
    return find_in_loads(elf, [offset](const GElf_Phdr& p) -> std::optional<std::uint64_t> {
        if (offset < p.p_offset || offset - p.p_offset >= p.p_filesz) return std::nullopt;
        return offset - p.p_offset + p.p_vaddr;
    });
}

std::optional<std::uint64_t> offset_of_vaddr(Elf* elf, std::uint64_t vaddr) {
    return find_in_loads(elf, [vaddr](const GElf_Phdr& p) -> std::optional<std::uint64_t> {
        if (vaddr < p.p_vaddr || vaddr - p.p_vaddr >= p.p_filesz) return std::nullopt;
        return vaddr - p.p_vaddr + p.p_offset;
    });
}

}  // namespace fdscope::symbolize
