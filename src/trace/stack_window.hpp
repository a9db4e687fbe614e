// A stopped tracee's memory as the unwinders read it: one process_vm_readv
// of a window of its stack, then word reads served locally; a read outside
// the window copies a new window there (the caller's frames lie above).
#pragma once
#include <cstdint>
#include <optional>
#include <sys/types.h>
#include <vector>

namespace fdscope::trace {

class StackWindow {
public:
    static constexpr std::size_t kBytes = 16 * 1024;

    // Starts over for another stop: nothing cached.
    void reset(pid_t pid);
    // The word at `addr`; nullopt when the tracee does not map it.
    std::optional<std::uint64_t> word(std::uint64_t addr);

private:
    bool load(std::uint64_t addr);
    pid_t pid_ = 0;
    std::uint64_t base_ = 0;
    std::size_t len_ = 0;
    std::vector<std::uint8_t> bytes_ = std::vector<std::uint8_t>(kBytes);
};

}  // namespace fdscope::trace
