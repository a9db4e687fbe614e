#include "model/stack.hpp"

#include <charconv>
#include <functional>

namespace fdscope {
namespace {

// boost::hash_combine's mixing: cheap and spreads small integers.
void mix(std::size_t& seed, std::size_t value) { seed ^= value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2); }

}  // namespace

std::string build_id_hex(const BuildId& id) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(id.size * 2u);
    for (std::uint8_t b : id.view()) {
        out += kDigits[b >> 4];
        out += kDigits[b & 0xf];
    }
    return out;
}

std::optional<BuildId> build_id_from_bytes(std::span<const std::uint8_t> bytes) {
    BuildId id;
    if (bytes.size() > id.bytes.size()) return std::nullopt;
    std::copy(bytes.begin(), bytes.end(), id.bytes.begin());
    id.size = static_cast<std::uint8_t>(bytes.size());
    return id;
}

std::optional<BuildId> build_id_from_hex(std::string_view hex) {
    BuildId id;
    if (hex.size() % 2 != 0 || hex.size() / 2 > id.bytes.size()) return std::nullopt;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const char* end = hex.data() + i + 2;
        auto [p, ec] = std::from_chars(hex.data() + i, end, id.bytes[i / 2], 16);
        if (ec != std::errc() || p != end) return std::nullopt;
    }
    id.size = static_cast<std::uint8_t>(hex.size() / 2);
    return id;
}

std::size_t StackTable::Hash::operator()(const std::vector<RawFrame>& frames) const {
    std::size_t seed = frames.size();
    for (const RawFrame& f : frames) {
        for (std::uint8_t b : f.build_id.view()) mix(seed, b);
        mix(seed, std::hash<std::uint64_t>{}(f.offset));
        mix(seed, std::hash<std::uint64_t>{}(f.pc));
        mix(seed, std::hash<std::string>{}(f.module));
        mix(seed, f.is_return_address ? 1 : 0);
    }
    return seed;
}

StackId StackTable::intern(std::span<const RawFrame> frames) {
    if (frames.empty()) return kNoStack;
    auto [it, inserted] = ids_.try_emplace(std::vector<RawFrame>(frames.begin(), frames.end()), StackId{0});
    if (inserted) {
        by_id_.push_back(&it->first);
        it->second = static_cast<StackId>(by_id_.size());
    }
    return it->second;
}

std::span<const RawFrame> StackTable::frames(StackId id) const {
    if (id == kNoStack || id > by_id_.size()) return {};
    return *by_id_[id - 1];
}

}  // namespace fdscope
