#include "trace/decode/planned_memory.hpp"

#include <algorithm>
#include <sys/socket.h>

namespace fdscope::trace {

PlannedMemory::PlannedMemory(const SyscallCall& call, Memory& memory)
    : call_(call), memory_(memory), plan_(capture_plan(call.abi, call.nr)) {
    for (const Capture& c : plan_) {
        const std::uint64_t addr = call.args[c.arg];
        switch (c.kind) {
            case CaptureKind::String: break;  // read_string() is bounded by the entry's size
            case CaptureKind::Bytes:
            case CaptureKind::Clone3Pidfd: allow(addr, c.size); break;
            case CaptureKind::MsgControl: allow(addr, sizeof(msghdr)); break;
            case CaptureKind::MmsgControl:
                allow(addr, std::min<std::uint64_t>(call.args[2], kMaxMmsgMessages) * sizeof(mmsghdr));
                break;
        }
    }
}

const Capture* PlannedMemory::entry(CaptureKind kind, unsigned arg) const {
    for (const Capture& c : plan_)
        if (c.kind == kind && c.arg == arg) return &c;
    return nullptr;
}

std::optional<std::string> PlannedMemory::string(unsigned arg, bool& truncated) {
    truncated = false;
    const Capture* c = entry(CaptureKind::String, arg);
    if (!c) return std::nullopt;
    return memory_.read_string(call_.args[arg], c->size, truncated);
}

void PlannedMemory::allow(std::uint64_t addr, std::uint64_t size) {
    if (size == 0 || addr > UINT64_MAX - size) return;
    allowed_.push_back({addr, addr + size});
}

bool PlannedMemory::read(std::uint64_t addr, std::span<std::byte> out) {
    if (out.empty()) return true;
    if (addr > UINT64_MAX - out.size()) return false;
    const std::uint64_t end = addr + out.size();
    for (const Range& r : allowed_)
        if (addr >= r.begin && end <= r.end) return memory_.read(addr, out);
    return false;
}

}  // namespace fdscope::trace
