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
    auto it = ranges_.upper_bound(addr);
    if (it == ranges_.begin()) return false;
    --it;
    const std::uint64_t offset = addr - it->first;
    if (offset > it->second.size() || out.size() > it->second.size() - offset) return false;
    if (!out.empty()) std::memcpy(out.data(), it->second.data() + offset, out.size());
    return true;
}

std::optional<std::string> CapturedMemory::read_string(std::uint64_t addr, std::size_t max, bool& truncated) {
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

}  // namespace fdscope::trace
