// User stacks of traced tasks, as raw frames (model/stack.hpp) named by
// build-id + file offset while the process still maps them, so a process
// that exited a moment later still symbolizes at report time.
//
// Both engines use the module map: BPF hands in the pcs its
// bpf_get_stack(BPF_F_USER_STACK) walked; ptrace unwinds the stopped task
// itself (frame pointers over one copy of its stack, or DWARF CFI with
// libdw when frame pointers are missing).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <sys/types.h>
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
    // The mapping covering pc, or nullptr (same refresh rule as frame()).
    const Mapping* mapping(pid_t pid, std::uint64_t pc);

private:
    struct Process;
    std::map<pid_t, std::shared_ptr<Process>> processes_;
};

// Registers a stopped ptrace tracee's user stack (rip, rsp, rbp from
// PTRACE_GETREGS) as returned by the unwinder.
struct Registers {
    std::uint64_t ip = 0, sp = 0, bp = 0;
};

enum class UnwindMethod : std::uint8_t { FramePointers, Dwarf };

// Unwinds a ptrace-stopped thread (the tracer is the caller). Frame
// pointers first over one process_vm_readv of the stack; DWARF CFI through
// libdw for modules without frame pointers (or everywhere with Dwarf).
class Unwinder {
public:
    Unwinder();
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
