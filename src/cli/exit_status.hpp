// Turning the end of a command's output into its exit status.
#pragma once
#include "render/output.hpp"

namespace fdscope::cli {

// Flushes; on a write error (disk full, I/O error; not EPIPE) says so on
// stderr and returns kExitFailure, else kExitOk.
int finish_output(render::Output& out);

}  // namespace fdscope::cli
