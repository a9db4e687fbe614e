#include "trace/decode/captured_memory.hpp"

#include <algorithm>
#include <cstring>

namespace fdscope::trace {

void CapturedMemory::add(std::uint64_t addr, std::span<const std::byte> bytes) {
    ranges_[addr].assign(bytes.begin(), bytes.end());
}

void CapturedMemory::add_string(std::uint64_t addr, std::string_view s, bool truncated) {
    strings_[addr] = Copied{std::string(s), truncated};
}

bool CapturedMemory::read(std::uint64_t addr, std::span<std::byte> out) {
    if (read_copied(addr, out)) return true;
    return fallback_ && fallback_->read(addr, out);
}

std::optional<std::string> CapturedMemory::read_string(std::uint64_t addr, std::size_t max, bool& truncated) {
    if (auto s = string_copied(addr, max, truncated)) return s;
    if (!fallback_) return std::nullopt;
    return fallback_->read_string(addr, max, truncated);
}

bool CapturedMemory::read_copied(std::uint64_t addr, std::span<std::byte> out) const {
    auto it = ranges_.upper_bound(addr);
    if (it == ranges_.begin()) return false;
    --it;
    const std::uint64_t offset = addr - it->first;
    if (offset > it->second.size() || out.size() > it->second.size() - offset) return false;
    if (!out.empty()) std::memcpy(out.data(), it->second.data() + offset, out.size());
    return true;
}

std::optional<std::string> CapturedMemory::string_copied(std::uint64_t addr, std::size_t max, bool& truncated) const {
    truncated = false;
    if (auto s = strings_.find(addr); s != strings_.end()) {
        truncated = s->second.truncated || s->second.text.size() > max;
        return s->second.text.substr(0, std::min(max, s->second.text.size()));
    }
    auto it = ranges_.upper_bound(addr);
    if (it == ranges_.begin()) return std::nullopt;
    --it;
    const std::uint64_t offset = addr - it->first;
    if (offset >= it->second.size()) return std::nullopt;
    const auto* begin = reinterpret_cast<const char*>(it->second.data()) + offset;
    const std::size_t avail = it->second.size() - offset;
    const std::size_t scan = std::min(avail, max);
    const void* nul = std::memchr(begin, 0, scan);
    if (nul) return std::string(begin, static_cast<const char*>(nul));
    if (scan == max) {
        truncated = true;
        return std::string(begin, scan);
    }
    return std::nullopt;  // the copy ends before the string does
}

void capture_entry(const SyscallCall& call, Memory& live, CapturedMemory& into) {
    for (const Capture& c : capture_plan(call.abi, call.nr)) {
        if (!c.at_entry) continue;
        const std::uint64_t addr = call.args[c.arg];
        if (c.kind == CaptureKind::String) {
            bool truncated = false;
            if (auto s = live.read_string(addr, c.size, truncated)) into.add_string(addr, *s, truncated);
        } else if (c.kind == CaptureKind::Bytes) {
            std::vector<std::byte> bytes(c.size);
            if (live.read(addr, bytes)) into.add(addr, bytes);
        }
    }
}

}  // namespace fdscope::trace
