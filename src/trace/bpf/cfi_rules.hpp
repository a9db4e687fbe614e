// Where a syscall wrapper without frame pointers keeps its return address
// and its caller's rbp, from the module's DWARF CFI (.eh_frame, libdw), so
// the BPF program can start its own frame-pointer walk at the caller
// (trace.bpf.c's cfi walk): bpf_get_stack walks by rbp from the syscall's
// pc, and a wrapper such as Debian 12 glibc's open64 (push %rbp; mov
// %rdi,%rbp; ... syscall) has put something else in rbp by then.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <sys/types.h>
#include <tuple>

#include "trace/stacks.hpp"

typedef struct Dwarf_CFI_s Dwarf_CFI;

namespace fdscope::trace {

// At one pc: CFA = (rbp if cfa_bp, else rsp) + cfa_off; the return address
// at CFA + ra_off; the caller's rbp at CFA + bp_off when bp_saved, else
// rbp itself (not touched yet).
struct CfiRule {
    bool cfa_bp = false;
    std::int32_t cfa_off = 0;
    std::int32_t ra_off = 0;
    bool bp_saved = false;
    std::int32_t bp_off = 0;
    bool operator==(const CfiRule&) const = default;
};

// The rule at ELF virtual address `vaddr` of `cfi`; nullopt when the CFI
// has none, is not of that simple form, or says a frame pointer is kept
// there (CFA from rbp with the caller's rbp saved below it: a frame-pointer
// walk is right from this pc).
std::optional<CfiRule> cfi_rule(Dwarf_CFI* cfi, std::uint64_t vaddr);

// cfi_rule for pcs of processes: the module from the module map, its
// .eh_frame read once per file, each answer (none included) once per file
// offset.
class CfiRules {
public:
    CfiRules();
    ~CfiRules();
    CfiRules(const CfiRules&) = delete;
    CfiRules& operator=(const CfiRules&) = delete;
    std::optional<CfiRule> rule(pid_t pid, std::uint64_t pc, ModuleMap& modules);

private:
    struct File;
    using FileKey = std::tuple<std::uint64_t, std::uint64_t, std::string>;  // dev, inode, path
    File* file(pid_t pid, const Mapping& m);
    std::map<FileKey, std::unique_ptr<File>> files_;
    std::map<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>, std::optional<CfiRule>> answers_;
};

}  // namespace fdscope::trace
