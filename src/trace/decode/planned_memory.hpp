// Internal to the decoder: the tracee's memory as the capture plan allows
// it. Every read the decoder makes goes through here, and a read the plan
// does not name fails as an unmapped one would, so the BPF engine, which
// copies exactly the plan at sys_exit, decodes what ptrace decodes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "trace/decode/syscall.hpp"

namespace fdscope::trace {

class PlannedMemory {
public:
    PlannedMemory(const SyscallCall& call, Memory& memory);

    // The NUL-terminated string at args[arg], as the plan's String entry allows.
    std::optional<std::string> string(unsigned arg, bool& truncated);
    // The first sizeof(T) bytes at args[arg] (a Bytes entry of at least that size).
    template <class T>
    std::optional<T> fixed(unsigned arg) {
        const Capture* c = entry(CaptureKind::Bytes, arg);
        if (!c || sizeof(T) > c->size) return std::nullopt;
        return at<T>(call_.args[arg]);
    }
    // The plan's entry of that kind for args[arg], nullptr when it has none.
    const Capture* entry(CaptureKind kind, unsigned arg) const;
    // Bytes entries and the headers of the structured ones (msghdr, the
    // mmsghdr array, clone_args) are readable from the start; what they
    // point at (control data, clone3's pidfd) once the decoder allows it.
    void allow(std::uint64_t addr, std::uint64_t size);
    bool read(std::uint64_t addr, std::span<std::byte> out);
    template <class T>
    std::optional<T> at(std::uint64_t addr) {
        static_assert(std::is_trivially_copyable_v<T>);
        T v;
        std::memset(static_cast<void*>(&v), 0, sizeof v);
        if (!read(addr, std::as_writable_bytes(std::span(&v, 1)))) return std::nullopt;
        return v;
    }

private:
    struct Range {
        std::uint64_t begin, end;
    };
    const SyscallCall& call_;
    Memory& memory_;
    std::span<const Capture> plan_;
    std::vector<Range> allowed_;
};

}  // namespace fdscope::trace
