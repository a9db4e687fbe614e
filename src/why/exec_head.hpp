// The first bytes of a file exec is asked about: a "#!" script and its
// interpreter, or an ELF program and its PT_INTERP. Pure, fuzzed.
#pragma once
#include <string>
#include <string_view>

namespace fdscope::why {

struct ExecHead {
    enum class Kind { Elf, Script, Other };
    Kind kind = Kind::Other;
    // Script: the interpreter path as the kernel takes it (binfmt_script:
    // up to the first space, tab or newline; a CR stays part of it). Elf:
    // PT_INTERP when its bytes are inside `head`, "" for a static program
    // (or when the program headers lie beyond what was read: interp_known).
    std::string interpreter;
    bool interp_known = true;
};

ExecHead parse_exec_head(std::string_view head);

}  // namespace fdscope::why
