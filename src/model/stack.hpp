// User stacks as trace engines capture them and as reports print them.
//
// A raw frame names code by the ELF it lives in (GNU build-id) and the
// file offset inside that ELF, the form BPF's BPF_F_USER_BUILD_ID gives and
// the one that still resolves after the process exited or unmapped the
// library: build-id + offset identify the instruction in any copy of the
// file. The absolute pc and the mapped path are kept beside it for frames
// whose ELF has no build-id note (or whose note page was not resident when
// BPF read it) and for symbolizing while the process still runs.
//
// Stacks are interned: events carry a small StackId (model/event.hpp), the
// frames live once in a StackTable.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/event.hpp"

namespace fdscope {

// NT_GNU_BUILD_ID bytes; 20 is the kernel's BUILD_ID_SIZE_MAX (SHA-1 as
// ld writes it; md5 and uuid ids are 16). size 0 = no build-id.
struct BuildId {
    std::array<std::uint8_t, 20> bytes{};
    std::uint8_t size = 0;

    bool empty() const { return size == 0; }
    std::span<const std::uint8_t> view() const { return {bytes.data(), size}; }
    bool operator==(const BuildId& o) const { return size == o.size && std::equal(bytes.begin(), bytes.begin() + size, o.bytes.begin()); }
};

// Lower-case hex, as `file`, `readelf -n` and /usr/lib/debug/.build-id/ spell it.
std::string build_id_hex(const BuildId& id);
// Empty when the text is not an even number of hex digits, or longer than 20 bytes.
std::optional<BuildId> build_id_from_hex(std::string_view hex);
std::optional<BuildId> build_id_from_bytes(std::span<const std::uint8_t> bytes);

struct RawFrame {
    BuildId build_id;          // of the ELF the pc is in; empty when unknown
    std::uint64_t offset = 0;  // file offset of the pc inside that ELF (pgoff + pc - vma start)
    std::uint64_t pc = 0;      // absolute address in the process, 0 when not known
    std::string module;        // the ELF's path as mapped ("" when unknown)
    // A return address points after the call; symbolizers look up pc - 1
    // for every frame but the innermost (the interrupted instruction).
    bool is_return_address = true;

    bool operator==(const RawFrame&) const = default;
};

// One source-level frame. A pc in inlined code gives several: the inlined
// functions innermost first (inlined = true), then the real function.
struct SymbolizedFrame {
    std::string function;      // demangled; "" when no symbol covers the pc
    std::string file;          // source file from DWARF; "" without debug info
    unsigned line = 0;         // 0 without debug info
    std::string module;        // the ELF's path
    std::uint64_t offset = 0;  // file offset inside module (as RawFrame::offset)
    std::uint64_t function_offset = 0;  // pc - symbol start, "function+0x1a"
    bool inlined = false;
};

// Interns frame sequences: the same sequence (innermost first) always gets
// the same id, ids are 1, 2, 3, ... in order of first appearance, so two
// runs over the same events give the same ids. kNoStack (0) is never
// handed out and names the empty stack.
class StackTable {
public:
    StackId intern(std::span<const RawFrame> frames);
    // The frames of `id`; empty for kNoStack and for ids never handed out.
    std::span<const RawFrame> frames(StackId id) const;
    std::size_t size() const { return by_id_.size(); }  // interned stacks, kNoStack not counted

private:
    struct Hash {
        std::size_t operator()(const std::vector<RawFrame>& frames) const;
    };
    // Node-based: the keys do not move when the map rehashes, so by_id_
    // can point into them.
    std::unordered_map<std::vector<RawFrame>, StackId, Hash> ids_;
    std::vector<const std::vector<RawFrame>*> by_id_;
};

}  // namespace fdscope
