// What one code address of a reported module is in the source: the
// function from the symbol table (.symtab, else .dynsym), file:line from
// DWARF when the module has it, and the inlined calls DWARF records there.
#pragma once
#include <elfutils/libdwfl.h>
#include <vector>

#include "model/stack.hpp"

namespace fdscope::symbolize {

// Innermost first: the inlined functions (inlined = true), each with the
// location inside it, then the function that holds the code. Empty when no
// symbol and no DWARF covers the address. module and offset are left for
// the caller (it knows the path the frame was captured under).
std::vector<SymbolizedFrame> source_frames(Dwfl_Module* mod, Dwarf_Addr addr);

}  // namespace fdscope::symbolize
