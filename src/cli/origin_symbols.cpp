#include "cli/origin_symbols.hpp"

#include <unordered_map>

#include "collect/preload_table.hpp"
#include "render/origin_text.hpp"
#include "symbolize/process_symbolizer.hpp"

namespace fdscope::cli {

void symbolize_origins(ProcessOrigins& table) {
    if (table.stacks.size() <= 1) return;
    std::string error;
    // Without the process's modules (it exited meanwhile) the frames stay
    // raw pcs: module "" and the address as the offset.
    std::optional<symbolize::ProcessSymbolizer> sym = symbolize::ProcessSymbolizer::open(table.pid, error);
    std::unordered_map<std::uint64_t, std::vector<SymbolizedFrame>> by_pc;
    for (std::size_t i = 1; i < table.stacks.size(); ++i) {
        OriginStack& s = table.stacks[i];
        if (s.symbolized) continue;
        s.frames.clear();
        for (std::uint64_t pc : s.pcs) {
            auto [it, fresh] = by_pc.try_emplace(pc);
            if (fresh) {
                // Every pc the library keeps is a return address.
                if (sym) it->second = sym->symbolize(pc, true);
                if (it->second.empty()) {
                    SymbolizedFrame f;
                    f.offset = pc;
                    if (sym)
                        if (auto raw = sym->raw_frame(pc, true)) f.module = raw->module, f.offset = raw->offset;
                    it->second.push_back(std::move(f));
                }
            }
            s.frames.insert(s.frames.end(), it->second.begin(), it->second.end());
        }
        s.site = render::origin_site(s.frames);
        s.symbolized = true;
    }
}

std::vector<OriginsPtr> read_symbolized_origins(const Snapshot& snap, std::vector<std::string>& notes) {
    std::vector<OriginsPtr> tables = collect::read_origins(snap, notes);
    for (auto& t : tables)
        if (t->error.empty()) symbolize_origins(*t);
    return tables;
}

}  // namespace fdscope::cli
