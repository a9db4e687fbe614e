#include "procfs/parse_ext4_super.hpp"

namespace fdscope::procfs {
namespace {

std::uint32_t le(std::span<const unsigned char> b, std::size_t at, std::size_t n) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint32_t>(b[at + i]) << (8 * i);
    return v;
}

constexpr std::size_t kMagic = 0x38, kResuid = 0x50, kResgid = 0x52;
constexpr std::size_t kRBlocksLo = 0x08, kRBlocksHi = 0x154, kFeatureIncompat = 0x60;
constexpr std::uint32_t kIncompat64bit = 0x80;

}  // namespace

std::optional<Ext4Reserved> parse_ext4_reserved(std::span<const unsigned char> super) {
    if (super.size() < kExt4SuperSize) return std::nullopt;
    if (le(super, kMagic, 2) != 0xEF53) return std::nullopt;
    Ext4Reserved r;
    r.resuid = le(super, kResuid, 2);
    r.resgid = le(super, kResgid, 2);
    r.reserved_blocks = le(super, kRBlocksLo, 4);
    if (le(super, kFeatureIncompat, 4) & kIncompat64bit)
        r.reserved_blocks |= static_cast<std::uint64_t>(le(super, kRBlocksHi, 4)) << 32;
    return r;
}

}  // namespace fdscope::procfs
