#include "trace/stack_symbols.hpp"


namespace fdscope::trace {

namespace {

// What is known of a frame no ELF resolves: where it was, never a guess.
SymbolizedFrame unresolved(const RawFrame& f) {
    SymbolizedFrame s;
    s.module = f.module;
    s.offset = f.module.empty() ? f.pc : f.offset;
    return s;
}

}  // namespace

SymbolizedStacks symbolize_stacks(const StackTable& table, std::span<const StackId> ids,
                                  symbolize::Symbolizer& symbolizer) {
    SymbolizedStacks out;
    for (StackId id : ids) {
        if (id == kNoStack || out.contains(id)) continue;
        std::vector<SymbolizedFrame>& frames = out[id];
        for (const RawFrame& raw : table.frames(id)) {
            std::vector<SymbolizedFrame> got = raw.module.empty() && raw.build_id.empty()
                                                   ? std::vector<SymbolizedFrame>{}
                                                   : symbolizer.symbolize(raw);
            if (got.empty()) got.push_back(unresolved(raw));
            frames.insert(frames.end(), got.begin(), got.end());
        }
    }
    return out;
}

}  // namespace fdscope::trace
