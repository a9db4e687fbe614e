#include "trace/bpf/cfi_signatures.hpp"

#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <map>
#include <set>

#include "trace/stacks.hpp"
#include "sys/files.hpp"
#include "sys/unique_fd.hpp"

namespace fdscope::trace {

std::vector<CfiSignature> syscall_signatures(std::span<const std::uint8_t> code, std::uint64_t vaddr, Dwarf_CFI* cfi) {
    std::vector<CfiSignature> out;
    if (!cfi) return out;
    constexpr std::size_t kBefore = std::tuple_size_v<decltype(CfiSignature::code)>;
    for (std::size_t i = kBefore - 2; i + 2 <= code.size(); ++i) {
        if (code[i] != 0x0f || code[i + 1] != 0x05) continue;
        const std::uint64_t pc = vaddr + i + 2;
        const auto rule = cfi_rule(cfi, pc);
        if (!rule) continue;
        CfiSignature s;
        s.page_off = static_cast<std::uint32_t>(pc & 0xfff);
        std::copy_n(code.begin() + static_cast<std::ptrdiff_t>(i + 2 - kBefore), kBefore, s.code.begin());
        s.rule = *rule;
        out.push_back(s);
    }
    return out;
}

std::vector<CfiSignature> unambiguous(std::vector<CfiSignature> sigs) {
    using Key = std::pair<std::uint32_t, std::array<std::uint8_t, 16>>;
    std::map<Key, std::size_t> first;
    std::set<Key> clash;
    std::vector<CfiSignature> out;
    for (const CfiSignature& s : sigs) {
        const Key k{s.page_off, s.code};
        auto [it, fresh] = first.try_emplace(k, out.size());
        if (fresh) out.push_back(s);
        else if (!(out[it->second].rule == s.rule)) clash.insert(k);
    }
    std::erase_if(out, [&](const CfiSignature& s) { return clash.contains(Key{s.page_off, s.code}); });
    return out;
}

std::vector<CfiSignature> file_signatures(const std::string& path) {
    std::vector<CfiSignature> out;
    elf_version(EV_CURRENT);
    sys::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return out;
    Elf* elf = elf_begin(fd.get(), ELF_C_READ_MMAP, nullptr);
    if (!elf) return out;
    Dwarf_CFI* cfi = dwarf_getcfi_elf(elf);
    std::size_t n = 0;
    std::size_t file_size = 0;
    const char* image = elf_rawfile(elf, &file_size);
    if (cfi && image && elf_getphdrnum(elf, &n) == 0) {
        for (std::size_t i = 0; i < n; ++i) {
            GElf_Phdr ph;
            if (!gelf_getphdr(elf, static_cast<int>(i), &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X)) continue;
            if (ph.p_offset > file_size || ph.p_filesz > file_size - ph.p_offset) continue;
            const auto* bytes = reinterpret_cast<const std::uint8_t*>(image + ph.p_offset);
            auto sigs = syscall_signatures({bytes, static_cast<std::size_t>(ph.p_filesz)}, ph.p_vaddr, cfi);
            out.insert(out.end(), sigs.begin(), sigs.end());
        }
    }
    if (cfi) dwarf_cfi_end(cfi);
    elf_end(elf);
    return out;
}

std::vector<std::string> own_c_library_files() {
    std::vector<std::string> out;
    std::string text;
    if (sys::read_all("/proc/self/maps", text) != 0) return out;
    for (const Mapping& m : executable_mappings(text)) {
        const std::string& p = m.path;
        const std::string base = p.substr(p.rfind('/') + 1);
        const bool wanted = base.starts_with("libc.so") || base.starts_with("ld-linux");
        if (wanted && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    }
    return out;
}

}  // namespace fdscope::trace
