// The source frames of every stack a report names, symbolized once each
// after tracing ended: frames are build-id + offset (model/stack.hpp), so
// they resolve against the ELF files even when the process that ran them
// is gone. A frame nothing resolves keeps its module and offset.
#pragma once
#include <map>
#include <span>
#include <vector>

#include "model/stack.hpp"
#include "symbolize/symbolizer.hpp"

namespace fdscope::trace {

using SymbolizedStacks = std::map<StackId, std::vector<SymbolizedFrame>>;

// Innermost first; inlined calls expand one raw frame into several. The
// symbolizer keeps its ELF files open: one per run, not one per call.
SymbolizedStacks symbolize_stacks(const StackTable& table, std::span<const StackId> ids,
                                  symbolize::Symbolizer& symbolizer);

}  // namespace fdscope::trace
