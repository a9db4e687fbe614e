// Owning handles for elfutils' Dwfl sessions: one per process (its maps)
// or per ELF file (reported at address 0, for offline lookups).
#pragma once
#include <elfutils/libdwfl.h>
#include <memory>
#include <string>

#include "model/stack.hpp"

namespace fdscope::symbolize {

struct DwflDeleter {
    void operator()(Dwfl* d) const { dwfl_end(d); }
};
using DwflPtr = std::unique_ptr<Dwfl, DwflDeleter>;

// Finds ELF files through /proc/PID (dwfl_linux_proc_find_elf) and
// separate debug info by build-id and .gnu_debuglink.
DwflPtr process_session();
// Finds separate debug info only: the ELF itself is named by its path.
DwflPtr offline_session();

// libdwfl's text for its last error on this thread.
std::string dwfl_error();

// The module's NT_GNU_BUILD_ID; empty when it has none.
BuildId module_build_id(Dwfl_Module* mod);
// The path the module was reported under (the mapped file, for a process).
std::string module_path(Dwfl_Module* mod);

}  // namespace fdscope::symbolize
