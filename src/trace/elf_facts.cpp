#include "trace/elf_facts.hpp"

#include <algorithm>
#include <array>
#include <elfutils/libdwelf.h>

namespace fdscope::trace {
namespace {

// Enough functions for a clear majority, few enough to stay cheap on libc's thousands.
constexpr unsigned kSampledFunctions = 256;
// Bytes of a prologue: endbr64 (4) + push %rbp (1) + mov %rsp,%rbp (3).
constexpr std::size_t kPrologueBytes = 8;

Elf_Scn* symbol_table(Elf* elf, GElf_Shdr& shdr) {
    Elf_Scn* dynsym = nullptr;
    GElf_Shdr dynsym_shdr{};
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr h;
        if (!gelf_getshdr(scn, &h)) continue;
        if (h.sh_type == SHT_SYMTAB) {
            shdr = h;
            return scn;  // the full table when the file is not stripped
        }
        if (h.sh_type == SHT_DYNSYM) dynsym = scn, dynsym_shdr = h;
    }
    shdr = dynsym_shdr;
    return dynsym;
}

// The first bytes of the function at `value`, from the section holding it.
bool function_start(Elf* elf, const GElf_Sym& sym, std::array<std::uint8_t, kPrologueBytes>& out) {
    Elf_Scn* scn = elf_getscn(elf, sym.st_shndx);
    GElf_Shdr h;
    if (!scn || !gelf_getshdr(scn, &h) || h.sh_type != SHT_PROGBITS || !(h.sh_flags & SHF_EXECINSTR)) return false;
    if (sym.st_value < h.sh_addr || sym.st_value - h.sh_addr + kPrologueBytes > h.sh_size) return false;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data || !data->d_buf || data->d_size < h.sh_size) return false;
    const auto* bytes = static_cast<const std::uint8_t*>(data->d_buf) + (sym.st_value - h.sh_addr);
    std::copy(bytes, bytes + kPrologueBytes, out.begin());
    return true;
}

}  // namespace

bool has_frame_pointer_prologue(std::span<const std::uint8_t> code) {
    static constexpr std::uint8_t kEndbr64[] = {0xf3, 0x0f, 0x1e, 0xfa};
    static constexpr std::uint8_t kPushMov[] = {0x55, 0x48, 0x89, 0xe5};
    if (code.size() >= 4 && std::equal(kEndbr64, kEndbr64 + 4, code.begin())) code = code.subspan(4);
    return code.size() >= 4 && std::equal(kPushMov, kPushMov + 4, code.begin());
}

bool keeps_frame_pointers(Elf* elf) {
    GElf_Shdr shdr{};
    Elf_Scn* scn = symbol_table(elf, shdr);
    Elf_Data* data = scn ? elf_getdata(scn, nullptr) : nullptr;
    if (!data || shdr.sh_entsize == 0) return true;
    const auto count = shdr.sh_size / shdr.sh_entsize;
    unsigned sampled = 0, with_fp = 0;
    for (std::size_t i = 0; i < count && sampled < kSampledFunctions; ++i) {
        GElf_Sym sym;
        if (!gelf_getsym(data, static_cast<int>(i), &sym)) break;
        // Tiny functions (PLT trampolines, getters) have no frame in either build.
        if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF || sym.st_size < 32) continue;
        std::array<std::uint8_t, kPrologueBytes> code{};
        if (!function_start(elf, sym, code)) continue;
        ++sampled;
        if (has_frame_pointer_prologue(code)) ++with_fp;
    }
    return sampled == 0 || with_fp * 2 >= sampled;
}

ElfFacts read_elf_facts(int fd) {
    ElfFacts facts;
    elf_version(EV_CURRENT);
    Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
    if (!elf) return facts;
    const void* bits = nullptr;
    ssize_t len = dwelf_elf_gnu_build_id(elf, &bits);
    if (len > 0 && bits) {
        if (auto id = build_id_from_bytes({static_cast<const std::uint8_t*>(bits), static_cast<std::size_t>(len)}))
            facts.build_id = *id;
    }
    facts.has_frame_pointers = keeps_frame_pointers(elf);
    elf_end(elf);
    return facts;
}

}  // namespace fdscope::trace
