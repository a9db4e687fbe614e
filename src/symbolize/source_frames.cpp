#include "symbolize/source_frames.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <cstdlib>
#include <memory>
#include <string>

#include "symbolize/demangle.hpp"

namespace fdscope::symbolize {
namespace {

struct Location {
    std::string file;
    unsigned line = 0;
};

Location line_table_location(Dwfl_Module* mod, Dwarf_Addr addr) {
    Dwfl_Line* line = dwfl_module_getsrc(mod, addr);
    if (!line) return {};
    int lineno = 0;
    const char* file = dwfl_lineinfo(line, nullptr, &lineno, nullptr, nullptr, nullptr);
    return {file ? file : "", lineno > 0 ? static_cast<unsigned>(lineno) : 0u};
}

// The linkage name demangled (it carries the namespace and parameters),
// else DW_AT_name; both looked up through abstract origins.
std::string die_function_name(Dwarf_Die* die) {
    Dwarf_Attribute attr;
    for (unsigned at : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name}) {
        if (dwarf_attr_integrate(die, at, &attr))
            if (const char* s = dwarf_formstring(&attr)) return demangle(s);
    }
    const char* name = dwarf_diename(die);
    return name ? name : "";
}

// Where an inlined subroutine was called from: DW_AT_call_file/line.
Location call_site(Dwarf_Die* cu, Dwarf_Die* inlined) {
    Location loc;
    Dwarf_Attribute attr;
    Dwarf_Word value = 0;
    if (dwarf_attr(inlined, DW_AT_call_line, &attr) && dwarf_formudata(&attr, &value) == 0)
        loc.line = static_cast<unsigned>(value);
    Dwarf_Files* files = nullptr;
    std::size_t nfiles = 0;
    if (dwarf_attr(inlined, DW_AT_call_file, &attr) && dwarf_formudata(&attr, &value) == 0 &&
        dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && value < nfiles)
        if (const char* f = dwarf_filesrc(files, value, nullptr, nullptr)) loc.file = f;
    return loc;
}

struct SymbolHit {
    std::string name;
    std::uint64_t offset = 0;
};

SymbolHit symbol_at(Dwfl_Module* mod, Dwarf_Addr addr) {
    GElf_Off offset = 0;
    GElf_Sym sym;
    const char* name = dwfl_module_addrinfo(mod, addr, &offset, &sym, nullptr, nullptr, nullptr);
    if (!name) return {};
    return {demangle(name), offset};
}

}  // namespace

std::vector<SymbolizedFrame> source_frames(Dwfl_Module* mod, Dwarf_Addr addr) {
    SymbolHit symbol = symbol_at(mod, addr);
    Location loc = line_table_location(mod, addr);
    std::vector<SymbolizedFrame> frames;

    Dwarf_Addr bias = 0;
    Dwarf_Die* cu = dwfl_module_addrdie(mod, addr, &bias);
    Dwarf_Die* raw_scopes = nullptr;
    int n = cu ? dwarf_getscopes(cu, addr - bias, &raw_scopes) : 0;
    std::unique_ptr<Dwarf_Die, decltype(&std::free)> scopes(raw_scopes, &std::free);
    for (int i = 0; i < n; ++i) {
        Dwarf_Die* scope = &scopes.get()[i];
        int tag = dwarf_tag(scope);
        if (tag == DW_TAG_inlined_subroutine) {
            frames.push_back({die_function_name(scope), loc.file, loc.line, "", 0, 0, true});
            loc = call_site(cu, scope);
        } else if (tag == DW_TAG_subprogram) {
            std::string name = symbol.name.empty() ? die_function_name(scope) : symbol.name;
            frames.push_back({name, loc.file, loc.line, "", 0, symbol.offset, false});
            return frames;
        }
    }
    // No DWARF subprogram covers it (no -g, or code without debug info):
    // the symbol table alone.
    if (symbol.name.empty() && frames.empty()) return {};
    frames.push_back({symbol.name, loc.file, loc.line, "", 0, symbol.offset, false});
    return frames;
}

}  // namespace fdscope::symbolize
