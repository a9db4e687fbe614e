// DWARF CFI unwinding of a stopped tracee with elfutils libdwfl: a session
// per process (its modules from /proc/PID/maps) attached with our own
// thread callbacks, so registers come from the caller's PTRACE_GETREGS and
// memory from the stack window (one process_vm_readv, not a
// PTRACE_PEEKDATA per word as libdwfl's own pid attach does on 0.188).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

#include "model/stack.hpp"
#include "trace/stack_window.hpp"
#include "trace/stacks.hpp"

namespace fdscope::trace {

class DwarfUnwinder {
public:
    DwarfUnwinder();
    ~DwarfUnwinder();
    DwarfUnwinder(const DwarfUnwinder&) = delete;
    DwarfUnwinder& operator=(const DwarfUnwinder&) = delete;

    // Innermost first, at most `depth`. `truncated_at` gets the module of
    // the last frame when the unwind stopped for lack of CFI before the
    // outermost frame ("" otherwise). `regs` must be full.
    std::vector<RawFrame> unwind(pid_t pid, pid_t tid, const Registers& regs, unsigned depth, ModuleMap& modules,
                                 StackWindow& memory, std::string& truncated_at);
    void forget(pid_t pid);

    // One process's libdwfl session and the unwind in progress (public for
    // libdwfl's C callbacks, which get it as their argument).
    struct Session;

private:
    Session* session(pid_t pid, std::uint64_t ip);
    std::map<pid_t, std::unique_ptr<Session>> sessions_;
};

}  // namespace fdscope::trace
