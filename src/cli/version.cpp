#include "cli/version.hpp"

#include "collect/backend.hpp"
#include "revision.hpp"  // generated at build time by cmake/Revision.cmake

namespace fdscope::cli {

std::string version_text() {
    std::string text = "fdscope " FDSCOPE_VERSION "\nrevision: " FDSCOPE_REVISION "\nbackends:";
    if (collect::bpf_built()) text += " bpf";
    text += " procfs";  // always: auto falls back to it
    return text;
}

}  // namespace fdscope::cli
