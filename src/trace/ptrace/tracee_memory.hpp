// A stopped tracee's memory for the decoder: process_vm_readv (one syscall
// per read), falling back to pread of /proc/PID/mem when the kernel refuses
// it (process_vm_readv needs the same ptrace access, but some seccomp
// policies deny the syscall itself).
#pragma once
#include <sys/types.h>

#include "sys/unique_fd.hpp"
#include "trace/decode/syscall.hpp"

namespace fdscope::trace::ptrace {

class TraceeMemory final : public Memory {
public:
    explicit TraceeMemory(pid_t tid) : tid_(tid) {}
    bool read(std::uint64_t addr, std::span<std::byte> out) override;
    std::optional<std::string> read_string(std::uint64_t addr, std::size_t max, bool& truncated) override;

private:
    // Reads what it can of [addr, addr + out.size()): the byte count, -1 on error.
    long read_some(std::uint64_t addr, std::span<std::byte> out);

    pid_t tid_;
    bool vm_readv_refused_ = false;
    sys::UniqueFd mem_;
};

}  // namespace fdscope::trace::ptrace
