#include "symbolize/process_symbolizer.hpp"

#include <system_error>

#include "symbolize/elf_offset.hpp"
#include "symbolize/source_frames.hpp"
#include "symbolize/symbolizer.hpp"

namespace fdscope::symbolize {

std::optional<ProcessSymbolizer> ProcessSymbolizer::open(pid_t pid, std::string& error) {
    DwflPtr session = process_session();
    if (!session) {
        error = dwfl_error();
        return std::nullopt;
    }
    // Returns an errno for /proc failures, -1 for libdwfl's own.
    int rc = dwfl_linux_proc_report(session.get(), pid);
    if (rc != 0) {
        error = rc > 0 ? std::generic_category().message(rc) : dwfl_error();
        return std::nullopt;
    }
    if (dwfl_report_end(session.get(), nullptr, nullptr) != 0) {
        error = dwfl_error();
        return std::nullopt;
    }
    return ProcessSymbolizer(std::move(session));
}

std::optional<RawFrame> ProcessSymbolizer::raw_frame(std::uint64_t pc, bool is_return_address) const {
    Dwfl_Module* mod = dwfl_addrmodule(session_.get(), pc);
    if (!mod) return std::nullopt;
    Dwarf_Addr bias = 0;
    Elf* elf = dwfl_module_getelf(mod, &bias);  // sets bias: call it before using it
    auto offset = offset_of_vaddr(elf, pc - bias);
    if (!offset) return std::nullopt;
    RawFrame f;
    f.build_id = module_build_id(mod);
    f.offset = *offset;
    f.pc = pc;
    f.module = module_path(mod);
    f.is_return_address = is_return_address;
    return f;
}

std::vector<SymbolizedFrame> ProcessSymbolizer::symbolize(std::uint64_t pc, bool is_return_address) const {
    std::optional<RawFrame> raw = raw_frame(pc, is_return_address);
    if (!raw) return {};
    Dwfl_Module* mod = dwfl_addrmodule(session_.get(), pc);
    std::vector<SymbolizedFrame> frames = source_frames(mod, pc - (is_return_address ? 1 : 0));
    stamp_frames(frames, raw->module, raw->offset);
    return frames;
}

}  // namespace fdscope::symbolize
