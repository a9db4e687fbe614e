// Who may use an ext2/3/4 filesystem's reserved blocks: s_def_resuid and
// s_def_resgid of the superblock (the 1024 bytes at offset 1024 of the
// device; fields at 0x50 and 0x52, little-endian, the magic 0xEF53 at
// 0x38). Besides them, CAP_SYS_RESOURCE may (ext4_has_free_clusters).
#pragma once
#include <cstdint>
#include <optional>
#include <span>

namespace fdscope::procfs {

inline constexpr std::size_t kExt4SuperOffset = 1024, kExt4SuperSize = 1024;

struct Ext4Reserved {
    std::uint32_t resuid = 0, resgid = 0;
    std::uint64_t reserved_blocks = 0;  // s_r_blocks_count (lo at 0x08, hi at 0x154 with 64bit)
};

// nullopt when the bytes are not an ext2/3/4 superblock.
std::optional<Ext4Reserved> parse_ext4_reserved(std::span<const unsigned char> super);

}  // namespace fdscope::procfs
