// One thread of another process made to run system calls for us, the way
// gdb's `call` runs a function: seized and stopped (PTRACE_SEIZE +
// PTRACE_INTERRUPT), its registers saved, each syscall run by pointing the
// instruction pointer at a `syscall` instruction the process already has
// (the one the thread is stopped after, or one in its vDSO) and
// single-stepping over it; then everything put back. Raw syscalls leave
// errno (thread-local memory) alone; restoring the saved registers makes a
// blocking syscall it was in restart exactly as after any other stop
// (orig_rax/-ERESTARTSYS are part of them); the scratch bytes used for
// arguments are saved first and written back; every signal that arrived
// while it was held is delivered once, after we let go. x86_64 only.
#pragma once
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace fdscope::sys {

class TracedThread {
public:
    TracedThread();
    ~TracedThread();  // release() if still attached
    TracedThread(const TracedThread&) = delete;
    TracedThread& operator=(const TracedThread&) = delete;

    // Seizes and stops thread `tid` of process `pid`. "" on success, else why not.
    std::string attach(pid_t pid, pid_t tid);
    // Where stage() puts `len` bytes: below the stack's red zone, aligned.
    std::uint64_t scratch_address(std::size_t len) const;
    // Copies `data` into the thread's memory at `addr` (from
    // scratch_address), once per attach, saving what was there. "" or why not.
    std::string stage(std::span<const unsigned char> data, std::uint64_t addr);
    // Runs syscall `nr` in the thread; `ret` gets the raw result (-errno on
    // failure). trapped: a seccomp TRAP stopped it (its SIGSYS is dropped).
    std::string run_syscall(long nr, const std::array<std::uint64_t, 6>& args, long& ret, bool& trapped);
    // Writes back the scratch bytes and the registers, re-sends the signals
    // that arrived, detaches. "" or why not.
    std::string release();
    bool attached() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace fdscope::sys
