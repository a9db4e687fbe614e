// Where a process's libfdscope-preload.so table is (sys/preload_layout.hpp):
// the `[anon:fdscope-table]` mapping where the kernel names anonymous
// memory, else the Locator in the library's writable data. Nothing found
// is the usual case (the process does not run the library).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <sys/types.h>

namespace fdscope::sys::preload {

struct TableLocation {
    std::uint64_t addr = 0;   // the mapping's start
    std::uint64_t bytes = 0;  // the table's length (named: the mapping's; else the Locator's, which
                              // may be less than the maps line: unnamed anonymous neighbours merge)
    bool named = false;       // found by its [anon:fdscope-table] name (else through the Locator)
};

// `maps` is the text of /proc/PID/maps. The Locator is copied from `pid`
// with process_vm_readv (same permission as /proc/PID/mem); what it says is
// only believed when an anonymous mapping of maps holds that whole range. A reader still checks the header it then copies.
std::optional<TableLocation> locate_table(pid_t pid, std::string_view maps);

}  // namespace fdscope::sys::preload
