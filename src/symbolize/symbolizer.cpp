#include "symbolize/symbolizer.hpp"

#include "symbolize/elf_offset.hpp"
#include "symbolize/source_frames.hpp"

namespace fdscope::symbolize {

void stamp_frames(std::vector<SymbolizedFrame>& frames, const std::string& module, std::uint64_t offset) {
    for (SymbolizedFrame& f : frames) {
        f.module = module;
        f.offset = offset;
    }
}

std::vector<SymbolizedFrame> Symbolizer::symbolize(const RawFrame& frame) {
    const OfflineModule* m = modules_.find(frame);
    if (!m) return {};
    Dwarf_Addr elf_bias = 0;
    auto vaddr = vaddr_of_offset(dwfl_module_getelf(m->mod, &elf_bias), frame.offset);
    if (!vaddr) return {};
    // A return address is the instruction after the call: look up the call.
    Dwarf_Addr addr = *vaddr + m->bias - (frame.is_return_address ? 1 : 0);
    std::vector<SymbolizedFrame> frames = source_frames(m->mod, addr);
    stamp_frames(frames, frame.module.empty() ? m->path : frame.module, frame.offset);
    return frames;
}

}  // namespace fdscope::symbolize
