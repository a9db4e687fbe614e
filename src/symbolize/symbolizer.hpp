// Raw frames -> source frames without the process: by build-id + file
// offset against the ELF on disk (model/stack.hpp says why that is the
// frame's identity). For frames captured from a process that may be gone.
#pragma once
#include <vector>

#include "model/stack.hpp"
#include "symbolize/module_cache.hpp"

namespace fdscope::symbolize {

class Symbolizer {
public:
    // Innermost first (inlined functions, then the real one), module and
    // offset filled from the frame; empty when its ELF cannot be found or
    // nothing covers the offset.
    std::vector<SymbolizedFrame> symbolize(const RawFrame& frame);

private:
    ModuleCache modules_;
};

// Fills module and offset of frames found for `frame` (shared with the
// process symbolizer).
void stamp_frames(std::vector<SymbolizedFrame>& frames, const std::string& module, std::uint64_t offset);

}  // namespace fdscope::symbolize
