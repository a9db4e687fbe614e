// Symbolizes the stacks of preload tables (collect/preload_table) while
// their processes run: each distinct stack once (a hundred thousand fds
// from one call site cost one), each distinct pc once, through the live
// process's modules (symbolize/process_symbolizer: function, file:line via
// libdw; module+offset otherwise), and names its creation site
// (render/origin_text). It lives in cli/ because collect/ may not use
// symbolize/.
#pragma once
#include <string>
#include <vector>

#include "model/origin.hpp"
#include "model/snapshot.hpp"

namespace fdscope::cli {

void symbolize_origins(ProcessOrigins& table);

// collect::read_origins, then every table symbolized; notes for the tables
// that could not be read are appended to `notes`.
std::vector<OriginsPtr> read_symbolized_origins(const Snapshot& snap, std::vector<std::string>& notes);

}  // namespace fdscope::cli
