#include "why/exec_head.hpp"

#include <elf.h>

#include <cstring>

namespace fdscope::why {
namespace {

template <class T>
bool read_at(std::string_view head, std::size_t off, T& out) {
    if (off > head.size() || head.size() - off < sizeof(T)) return false;
    std::memcpy(&out, head.data() + off, sizeof(T));
    return true;
}

// The ELF program headers of one class: PT_INTERP's path, if there is one.
template <class Ehdr, class Phdr>
void elf_interp(std::string_view head, ExecHead& out) {
    Ehdr eh{};
    if (!read_at(head, 0, eh) || eh.e_phentsize != sizeof(Phdr)) {
        out.interp_known = false;
        return;
    }
    for (std::size_t i = 0; i < eh.e_phnum; ++i) {
        Phdr ph{};
        if (!read_at(head, static_cast<std::size_t>(eh.e_phoff) + i * sizeof(Phdr), ph)) {
            out.interp_known = false;
            return;
        }
        if (ph.p_type != PT_INTERP) continue;
        if (ph.p_offset > head.size() || head.size() - ph.p_offset < ph.p_filesz || ph.p_filesz == 0) {
            out.interp_known = false;
            return;
        }
        std::string_view path = head.substr(static_cast<std::size_t>(ph.p_offset), static_cast<std::size_t>(ph.p_filesz));
        if (const auto nul = path.find('\0'); nul != std::string_view::npos) path = path.substr(0, nul);
        out.interpreter = std::string(path);
        return;
    }
}

}  // namespace

ExecHead parse_exec_head(std::string_view head) {
    ExecHead out;
    if (head.size() >= 2 && head[0] == '#' && head[1] == '!') {
        out.kind = ExecHead::Kind::Script;
        std::string_view rest = head.substr(2);
        // binfmt_script: the line ends at '\n'; blanks before the path are skipped.
        rest = rest.substr(0, std::min(rest.find('\n'), rest.size()));
        const auto start = rest.find_first_not_of(" \t");
        if (start == std::string_view::npos) return out;
        rest = rest.substr(start);
        out.interpreter = std::string(rest.substr(0, std::min(rest.find_first_of(" \t"), rest.size())));
        return out;
    }
    if (head.size() >= EI_NIDENT && std::memcmp(head.data(), ELFMAG, SELFMAG) == 0) {
        out.kind = ExecHead::Kind::Elf;
        if (head[EI_CLASS] == ELFCLASS64) elf_interp<Elf64_Ehdr, Elf64_Phdr>(head, out);
        else if (head[EI_CLASS] == ELFCLASS32) elf_interp<Elf32_Ehdr, Elf32_Phdr>(head, out);
        else out.interp_known = false;
    }
    return out;
}

}  // namespace fdscope::why
