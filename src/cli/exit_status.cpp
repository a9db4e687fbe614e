#include "cli/exit_status.hpp"

#include <cstdio>
#include <cstring>

#include "cli/commands.hpp"

namespace fdscope::cli {

int finish_output(render::Output& out) {
    out.flush();
    if (out.error() == 0) return kExitOk;
    std::fprintf(stderr, "fdscope: cannot write output: %s\n", std::strerror(out.error()));
    return kExitFailure;
}

}  // namespace fdscope::cli
