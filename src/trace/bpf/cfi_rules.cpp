#include "trace/bpf/cfi_rules.hpp"

#include <cstdlib>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <limits>
#include <unistd.h>

#include "collect/read_process.hpp"
#include "symbolize/elf_offset.hpp"
#include "sys/unique_fd.hpp"

namespace fdscope::trace {
namespace {

// x86-64 psABI DWARF register numbers.
constexpr int kRbp = 6, kRsp = 7, kReturnAddress = 16;

bool fits(std::int64_t v) {
    return v >= std::numeric_limits<std::int32_t>::min() && v <= std::numeric_limits<std::int32_t>::max();
}

// A register's rule as "saved at CFA + off": libdw gives DW_CFA_offset as
// the address it is stored at, call_frame_cfa [plus_uconst off] (a value
// rule would end in stack_value). Sets `same` for same-value (and
// unspecified, which the x86-64 ABI makes same-value for rbp); false for
// anything else.
bool saved_at(Dwarf_Frame* frame, int reg, std::int64_t& off, bool& same) {
    Dwarf_Op mem[3];
    Dwarf_Op* ops = nullptr;
    std::size_t nops = 0;
    same = false;
    off = 0;
    if (dwarf_frame_register(frame, reg, mem, &ops, &nops) != 0) return false;
    if (nops == 0) {
        same = ops == nullptr;  // ops == mem: undefined
        return same;
    }
    if (ops[0].atom != DW_OP_call_frame_cfa) return false;
    if (nops == 1) return true;
    if (nops != 2 || ops[1].atom != DW_OP_plus_uconst) return false;
    off = static_cast<std::int64_t>(ops[1].number);  // a negative offset wraps: read it back signed
    return fits(off);
}

}  // namespace

std::optional<CfiRule> cfi_rule(Dwarf_CFI* cfi, std::uint64_t vaddr) {
    if (!cfi) return std::nullopt;
    Dwarf_Frame* frame = nullptr;
    if (dwarf_cfi_addrframe(cfi, vaddr, &frame) != 0 || !frame) return std::nullopt;
    std::optional<CfiRule> out;
    Dwarf_Op* cfa = nullptr;
    std::size_t ncfa = 0;
    CfiRule r;
    std::int64_t ra = 0, bp = 0;
    bool ra_same = false, bp_same = false;
    int cfa_reg = -1;
    std::int64_t cfa_off = 0;
    if (dwarf_frame_cfa(frame, &cfa, &ncfa) == 0 && ncfa == 1) {
        // libdw gives a "register + offset" CFA as DW_OP_bregx (register,
        // offset); an expression from the CFI itself may say DW_OP_bregN.
        if (cfa[0].atom == DW_OP_bregx) {
            cfa_reg = static_cast<int>(cfa[0].number);
            cfa_off = static_cast<std::int64_t>(cfa[0].number2);
        } else if (cfa[0].atom >= DW_OP_breg0 && cfa[0].atom <= DW_OP_breg31) {
            cfa_reg = cfa[0].atom - DW_OP_breg0;
            cfa_off = static_cast<std::int64_t>(cfa[0].number);
        }
    }
    if ((cfa_reg == kRsp || cfa_reg == kRbp) && fits(cfa_off) && saved_at(frame, kReturnAddress, ra, ra_same) &&
        !ra_same && saved_at(frame, kRbp, bp, bp_same)) {
        r.cfa_bp = cfa_reg == kRbp;
        r.cfa_off = static_cast<std::int32_t>(cfa_off);
        r.ra_off = static_cast<std::int32_t>(ra);
        r.bp_saved = !bp_same;
        r.bp_off = static_cast<std::int32_t>(bp);
        // rbp is this function's frame pointer: the caller's rbp lies just
        // below the return address, where a frame-pointer walk reads it.
        const bool frame_pointer = r.cfa_bp && r.bp_saved && r.bp_off == r.ra_off - 8;
        if (!frame_pointer) out = r;
    }
    std::free(frame);
    return out;
}

struct CfiRules::File {
    sys::UniqueFd fd;
    Elf* elf = nullptr;
    Dwarf_CFI* cfi = nullptr;
    ~File() {
        if (cfi) dwarf_cfi_end(cfi);
        if (elf) elf_end(elf);
    }
};

CfiRules::CfiRules() { elf_version(EV_CURRENT); }
CfiRules::~CfiRules() = default;

CfiRules::File* CfiRules::file(pid_t pid, const Mapping& m) {
    FileKey key{m.dev, m.inode, m.path};
    auto it = files_.find(key);
    if (it != files_.end()) return it->second.get();
    auto f = std::make_unique<File>();
    // map_files opens the inode mapped even when the path was replaced.
    const std::string via = fmt::format("/proc/{}/{}", pid, collect::map_files_name(m.start, m.end));
    f->fd = sys::UniqueFd(::open(via.c_str(), O_RDONLY | O_CLOEXEC));
    if (!f->fd) f->fd = sys::UniqueFd(::open(m.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (f->fd) f->elf = elf_begin(f->fd.get(), ELF_C_READ_MMAP, nullptr);
    if (f->elf) f->cfi = dwarf_getcfi_elf(f->elf);
    return files_.emplace(std::move(key), std::move(f)).first->second.get();
}

std::optional<CfiRule> CfiRules::rule(pid_t pid, std::uint64_t pc, ModuleMap& modules) {
    const Mapping* m = modules.mapping(pid, pc);
    if (!m) return std::nullopt;
    const std::uint64_t offset = m->pgoff + (pc - m->start);
    const auto answer = std::make_tuple(m->dev, m->inode, offset);
    if (auto it = answers_.find(answer); it != answers_.end()) return it->second;
    const Mapping copy = *m;  // `m` is valid only until the module map's next call
    std::optional<CfiRule> r;
    if (File* f = file(pid, copy); f && f->cfi)
        if (const auto vaddr = symbolize::vaddr_of_offset(f->elf, offset)) r = cfi_rule(f->cfi, *vaddr);
    answers_.emplace(answer, r);
    return r;
}

}  // namespace fdscope::trace
