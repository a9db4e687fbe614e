// User stacks of traced tasks, as raw frames (model/stack.hpp) named by
// build-id + file offset while the process still maps them, so a process
// that exited a moment later still symbolizes at report time.
//
// Both engines use the module map: BPF hands in the pcs its
// bpf_get_stack(BPF_F_USER_STACK) walked; ptrace unwinds the stopped task
// itself (frame pointers over one copy of its stack, or DWARF CFI with
// libdw when frame pointers are missing).
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <sys/user.h>
#include <vector>

#include "model/stack.hpp"

namespace fdscope::trace {

// A file-backed executable mapping of a process.
struct Mapping {
    std::uint64_t start = 0, end = 0;  // [start, end)
    std::uint64_t pgoff = 0;
    std::string path;
    BuildId build_id;                  // read from the file once per path+inode
    bool has_frame_pointers = true;    // false when the module's code omits them (see unwinder)
    std::uint64_t dev = 0, inode = 0;  // of the mapped file, as maps gives them
};

// Per-process cache of /proc/PID/maps' executable mappings. Read again when
// a pc falls outside every known mapping (a dlopen, an exec) or after
// forget(pid) (called at exec and exit).
class ModuleMap {
public:
    // The frame of `pc` in `pid`; a frame with only `pc` set when no
    // mapping covers it even after re-reading the maps.
    RawFrame frame(pid_t pid, std::uint64_t pc, bool is_return_address);
    void forget(pid_t pid);
    // The mapping covering pc, or nullptr (same refresh rule as frame());
    // valid until the next call.
    const Mapping* mapping(pid_t pid, std::uint64_t pc);
    // Times /proc/PID/maps was read (for tests and the engines' figures).
    std::uint64_t maps_reads() const { return maps_reads_; }

private:
    struct Process;
    struct ElfKey {
        std::uint64_t dev = 0, inode = 0;
        std::string path;
        auto operator<=>(const ElfKey&) const = default;
    };
    struct ElfEntry {
        BuildId build_id;
        bool has_frame_pointers = true;
    };
    Process& process(pid_t pid);
    void refresh(pid_t pid, Process& p);
    const ElfEntry& elf(pid_t pid, const ElfKey& key, std::uint64_t start, std::uint64_t end);

    std::map<pid_t, std::shared_ptr<Process>> processes_;
    // Build-ids by file: read once, kept after the file is deleted or
    // replaced (a new file has a new inode).
    std::map<ElfKey, ElfEntry> elves_;
    std::uint64_t maps_reads_ = 0;
};

// The file-backed executable mappings of a /proc/PID/maps text, ascending,
// without build-ids (pure: the module map fills those from the files).
std::vector<Mapping> executable_mappings(std::string_view maps_text);

// Registers a stopped ptrace tracee's user stack (rip, rsp, rbp from
// PTRACE_GETREGS) as returned by the unwinder.
struct Registers {
    std::uint64_t ip = 0, sp = 0, bp = 0;
    // The whole set in DWARF numbering (x86-64 psABI: rax rdx rcx rbx rsi
    // rdi rbp rsp r8..r15 rip), for CFI unwinding: rules may restore any
    // callee-saved register. Without it (`full` false) the unwinder reads
    // them itself with PTRACE_GETREGS when it needs them.
    std::array<std::uint64_t, 17> dwarf{};
    bool full = false;
};

// All of them from PTRACE_GETREGS' struct.
Registers registers_from(const user_regs_struct& regs);
// PTRACE_GETREGS of a stopped tracee (the caller is its tracer); nullopt
// when it is not stopped or not ours.
std::optional<Registers> read_registers(pid_t tid);

// FramePointers: the rbp chain only (what BPF's bpf_get_stack walks too).
// Dwarf: CFI through libdw for every stack. Auto: frame pointers, and CFI
// for a stack whose calling code has no frame pointers.
enum class UnwindMethod : std::uint8_t { FramePointers, Dwarf, Auto };

// Unwinds a ptrace-stopped thread (the tracer is the caller). Frame
// pointers first over one process_vm_readv of the stack; DWARF CFI through
// libdw for modules without frame pointers (or everywhere with Dwarf).
class Unwinder {
public:
    Unwinder();  // UnwindMethod::Auto
    explicit Unwinder(UnwindMethod method);
    ~Unwinder();
    Unwinder(const Unwinder&) = delete;
    Unwinder& operator=(const Unwinder&) = delete;
    // Innermost first, at most `depth` frames; empty when nothing could be read.
    std::vector<RawFrame> unwind(pid_t pid, pid_t tid, const Registers& regs, unsigned depth, ModuleMap& modules);
    void forget(pid_t pid);  // at exec and exit: the process's unwind state is stale
    // Modules whose stacks stopped early for lack of frame pointers or CFI
    // (paths, for the report's note).
    std::vector<std::string> truncating_modules() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// pcs (innermost first, as bpf_get_stack gives them) to raw frames.
std::vector<RawFrame> frames_from_pcs(pid_t pid, std::span<const std::uint64_t> pcs, ModuleMap& modules);

}  // namespace fdscope::trace
