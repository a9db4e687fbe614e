// A Memory made of copied ranges: what the BPF engine copied at sys_exit
// along the capture plan, what an engine copied at a call's entry (the
// plan's at_entry entries: execve's path), a test's hand-built structures,
// the fuzzer's bytes. A read is served when one copied range holds all of
// it, else by the fallback (the live tracee at the exit stop), if any.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "trace/decode/syscall.hpp"

namespace fdscope::trace {

class CapturedMemory : public Memory {
public:
    explicit CapturedMemory(Memory* fallback = nullptr) : fallback_(fallback) {}
    // Bytes that were at `addr`; a later range at the same address replaces it.
    void add(std::uint64_t addr, std::span<const std::byte> bytes);
    void add(std::uint64_t addr, std::string_view bytes) { add(addr, std::as_bytes(std::span(bytes))); }
    // A string copied on its own (bpf_probe_read_user_str), without its NUL;
    // `truncated` when the copy stopped at its buffer's end.
    void add_string(std::uint64_t addr, std::string_view s, bool truncated = false);

    bool read(std::uint64_t addr, std::span<std::byte> out) override;
    std::optional<std::string> read_string(std::uint64_t addr, std::size_t max, bool& truncated) override;

private:
    struct Copied {
        std::string text;
        bool truncated = false;
    };
    bool read_copied(std::uint64_t addr, std::span<std::byte> out) const;
    std::optional<std::string> string_copied(std::uint64_t addr, std::size_t max, bool& truncated) const;
    Memory* fallback_;
    std::map<std::uint64_t, std::vector<std::byte>> ranges_;
    std::map<std::uint64_t, Copied> strings_;
};

// Copies into `into` what the plan of `call` says must be read at entry
// (Capture::at_entry), from the tracee as it is at the entry stop.
void capture_entry(const SyscallCall& call, Memory& live, CapturedMemory& into);

}  // namespace fdscope::trace
